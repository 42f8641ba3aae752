/** Standard ECG paper speed. */
export const PAPER_MM_PER_S = 25;
/** Standard ECG gain. */
export const GAIN_MM_PER_MV = 10;
/** CSS pixels per millimetre (CSS defines 96 px per inch); tablets honour it within a few per cent. */
export const CSS_PX_PER_MM = 96 / 25.4;

/** The grid of a strip: 1 mm small squares, 5 mm large ones, and the seconds that fit. */
export interface StripGrid {
  readonly smallPx: number;
  readonly largePx: number;
  readonly seconds: number;
}

/** The grid for a strip `widthPx` wide at `pxPerMm` (device pixels per millimetre). */
export function stripGrid(widthPx: number, pxPerMm: number): StripGrid {
  return { smallPx: pxPerMm, largePx: 5 * pxPerMm, seconds: widthPx / (PAPER_MM_PER_S * pxPerMm) };
}

/**
 * Where each sample is drawn, as x,y pairs in pixels: x at 25 mm/s from the strip's left edge,
 * y around the middle. ECG in µV at 10 mm/mV (1 mV up is 10 mm up); pleth (arbitrary units) is
 * scaled to 80 % of the height around its own mean, since it has no physical gain.
 */
export function stripPoints(
  samples: readonly number[],
  rateHz: number,
  unit: 'uV' | 'arb',
  pxPerMm: number,
  heightPx: number,
): Float32Array {
  const out = new Float32Array(samples.length * 2);
  const mid = heightPx / 2;
  const pxPerSample = (PAPER_MM_PER_S * pxPerMm) / rateHz;
  let scale: number;
  let offset: number;
  if (unit === 'uV') {
    scale = (GAIN_MM_PER_MV * pxPerMm) / 1000;
    offset = 0;
  } else {
    let lo = Infinity;
    let hi = -Infinity;
    for (const s of samples) {
      if (s < lo) lo = s;
      if (s > hi) hi = s;
    }
    const range = hi - lo || 1;
    scale = (0.8 * heightPx) / range;
    offset = (hi + lo) / 2;
  }
  for (let i = 0; i < samples.length; i++) {
    out[2 * i] = i * pxPerSample;
    out[2 * i + 1] = mid - (samples[i]! - offset) * scale;
  }
  return out;
}
