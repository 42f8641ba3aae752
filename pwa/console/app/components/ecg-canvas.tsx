import { useEffect, useRef, useState } from 'preact/hooks';
import {
  CSS_PX_PER_MM,
  GAIN_MM_PER_MV,
  PAPER_MM_PER_S,
  stripPoints,
} from '../../../shared/strip-geometry.ts';
import type { Waveform } from '../case/consultation.ts';
import { t } from '../i18n.ts';

const HEIGHT_MM = 40;
const ZOOMS = [0.5, 1, 1.5, 2, 3, 4] as const;

interface Caliper {
  readonly x: number;
  readonly y: number;
}

/**
 * An ECG strip on ECG paper: 1 mm and 5 mm squares at 25 mm/s and 10 mm/mV in real CSS
 * millimetres (times the zoom), drawn on a canvas at the screen's pixel density. Calipers: two
 * taps give the interval in ms, the rate it implies and the voltage difference.
 */
export function EcgCanvas({ strip }: { strip: Waveform }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [zoom, setZoom] = useState(1);
  const [calipers, setCalipers] = useState(false);
  const [marks, setMarks] = useState<readonly Caliper[]>([]);
  const seconds = strip.samples.length / strip.rateHz;
  const mm = CSS_PX_PER_MM * zoom;
  const widthCss = Math.ceil(seconds * PAPER_MM_PER_S * mm);
  const heightCss = Math.ceil(HEIGHT_MM * mm);

  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const dpr = window.devicePixelRatio || 1;
    el.width = Math.ceil(widthCss * dpr);
    el.height = Math.ceil(heightCss * dpr);
    el.style.width = `${widthCss}px`;
    el.style.height = `${heightCss}px`;
    const g = el.getContext('2d');
    if (!g) return;
    const px = mm * dpr;
    g.fillStyle = '#fffafa';
    g.fillRect(0, 0, el.width, el.height);
    for (const [step, colour, width] of [
      [1, '#f6c9c9', 1],
      [5, '#e08a8a', 1.5],
    ] as const) {
      g.strokeStyle = colour;
      g.lineWidth = width;
      g.beginPath();
      for (let x = 0; x <= el.width; x += step * px) {
        g.moveTo(Math.round(x) + 0.5, 0);
        g.lineTo(Math.round(x) + 0.5, el.height);
      }
      for (let y = 0; y <= el.height; y += step * px) {
        g.moveTo(0, Math.round(y) + 0.5);
        g.lineTo(el.width, Math.round(y) + 0.5);
      }
      g.stroke();
    }
    const points = stripPoints(strip.samples, strip.rateHz, strip.unit, px, el.height);
    g.strokeStyle = '#111';
    g.lineWidth = Math.max(1.5, 1.2 * dpr);
    g.beginPath();
    for (let i = 0; i < points.length; i += 2) {
      if (i === 0) g.moveTo(points[0]!, points[1]!);
      else g.lineTo(points[i]!, points[i + 1]!);
    }
    g.stroke();
    g.fillStyle = '#0b5394';
    for (const m of marks) g.fillRect(m.x * dpr - dpr, 0, 2 * dpr, el.height);
    el.dataset.drawnSamples = String(strip.samples.length);
    el.dataset.pxPerMm = String(mm);
  }, [strip, zoom, marks, widthCss, heightCss, mm]);

  const reading = (() => {
    if (marks.length !== 2) return null;
    const [a, b] = marks as [Caliper, Caliper];
    const ms = (Math.abs(b.x - a.x) / (PAPER_MM_PER_S * mm)) * 1000;
    const mv = Math.abs(b.y - a.y) / (GAIN_MM_PER_MV * mm);
    return t('caliperReading', {
      ms: Math.round(ms),
      bpm: ms > 0 ? Math.round(60_000 / ms) : '—',
      mv: mv.toFixed(2).replace('.', ','),
    });
  })();

  return (
    <div class="ecg">
      <div class="ecg-tools">
        <span class="scale">{t('ecgScale')}</span>
        <button
          type="button"
          onClick={() => setZoom(ZOOMS[Math.max(0, (ZOOMS as readonly number[]).indexOf(zoom) - 1)] ?? zoom)}
        >
          {t('zoomOut')}
        </button>
        <span class="zoom">×{zoom}</span>
        <button
          type="button"
          onClick={() =>
            setZoom(ZOOMS[Math.min(ZOOMS.length - 1, (ZOOMS as readonly number[]).indexOf(zoom) + 1)] ?? zoom)
          }
        >
          {t('zoomIn')}
        </button>
        <label class="check">
          <input
            type="checkbox"
            checked={calipers}
            onChange={(e) => {
              setCalipers(e.currentTarget.checked);
              setMarks([]);
            }}
          />
          {t('calipers')}
        </label>
        <span class="caliper-reading">{calipers ? (reading ?? t('caliperHint')) : ''}</span>
      </div>
      <div class="ecg-scroll">
        <canvas
          ref={canvas}
          class="ecg-canvas"
          onClick={(e) => {
            if (!calipers) return;
            const r = e.currentTarget.getBoundingClientRect();
            const m = { x: e.clientX - r.left, y: e.clientY - r.top };
            setMarks((old) => (old.length >= 2 ? [m] : [...old, m]));
          }}
        />
      </div>
    </div>
  );
}
