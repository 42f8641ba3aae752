import { useEffect, useRef, useState } from 'preact/hooks';
import { CSS_PX_PER_MM, stripGrid, stripPoints } from '../../../shared/strip-geometry.ts';
import { useApp, useWords } from '../state/context.ts';
import type { WaveformBuffer } from '../state/waveform-buffer.ts';

const HEIGHT_MM = 30;

function drawGrid(ctx: CanvasRenderingContext2D, width: number, height: number, pxPerMm: number): void {
  const grid = stripGrid(width, pxPerMm);
  ctx.fillStyle = '#fffaf7';
  ctx.fillRect(0, 0, width, height);
  for (const [step, color, lineWidth] of [
    [grid.smallPx, '#f3c9c0', 1],
    [grid.largePx, '#e08e7e', 1.5],
  ] as const) {
    ctx.strokeStyle = color;
    ctx.lineWidth = lineWidth;
    ctx.beginPath();
    for (let x = 0; x <= width; x += step) {
      ctx.moveTo(Math.round(x) + 0.5, 0);
      ctx.lineTo(Math.round(x) + 0.5, height);
    }
    for (let y = 0; y <= height; y += step) {
      ctx.moveTo(0, Math.round(y) + 0.5);
      ctx.lineTo(width, Math.round(y) + 0.5);
    }
    ctx.stroke();
  }
}

function draw(canvas: HTMLCanvasElement, buffer: WaveformBuffer): boolean {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.round(canvas.clientWidth * ratio);
  const height = Math.round(HEIGHT_MM * CSS_PX_PER_MM * ratio);
  if (canvas.width !== width || canvas.height !== height) Object.assign(canvas, { width, height });
  const ctx = canvas.getContext('2d');
  if (!ctx) return false;
  const pxPerMm = CSS_PX_PER_MM * ratio;
  drawGrid(ctx, width, height, pxPerMm);
  const channel = buffer.channels()[0];
  if (!channel) return false;
  const { rateHz, unit } = channel.meta;
  const fit = Math.floor(stripGrid(width, pxPerMm).seconds * rateHz);
  const pts = stripPoints(channel.samples.slice(-fit), rateHz, unit, pxPerMm, height);
  ctx.strokeStyle = '#111';
  ctx.lineWidth = 1.5 * ratio;
  ctx.beginPath();
  ctx.moveTo(pts[0] ?? 0, pts[1] ?? 0);
  for (let i = 2; i < pts.length; i += 2) ctx.lineTo(pts[i]!, pts[i + 1]!);
  ctx.stroke();
  return true;
}

/** The live ECG or pleth strip on the standard grid: 25 mm/s, 10 mm/mV, 1 and 5 mm squares. */
export function Strip() {
  const app = useApp();
  const w = useWords();
  const canvas = useRef<HTMLCanvasElement>(null);
  const [hasData, setHasData] = useState(false);
  useEffect(() => {
    let frame = 0;
    const paint = () => {
      frame = 0;
      if (canvas.current) setHasData(draw(canvas.current, app.waveforms));
    };
    paint();
    const off = app.waveforms.subscribe(() => {
      frame ||= requestAnimationFrame(paint);
    });
    return () => {
      off();
      cancelAnimationFrame(frame);
    };
  }, [app]);
  return (
    <section class="panel strip">
      <h2>
        {w.t('strip')} <small>{w.t('stripScale')}</small>
      </h2>
      <canvas ref={canvas} class="strip-canvas" style={{ height: `${HEIGHT_MM}mm` }} data-testid="strip" />
      {!hasData && <p class="hint">{w.t('noWaveform')}</p>}
    </section>
  );
}
