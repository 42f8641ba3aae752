import { describe, expect, it } from 'vitest';
import { CSS_PX_PER_MM, stripGrid, stripPoints } from './strip-geometry.ts';

describe('ECG strip geometry', () => {
  it('draws one second as 25 mm and one millivolt as 10 mm', () => {
    const pxPerMm = CSS_PX_PER_MM * 2; // a 2x screen
    const rate = 130;
    const samples = Array.from({ length: rate + 1 }, (_, i) => (i === rate ? 1000 : 0));
    const pts = stripPoints(samples, rate, 'uV', pxPerMm, 200);
    expect(pts[2 * rate]! / pxPerMm).toBeCloseTo(25, 6);
    expect((pts[1]! - pts[2 * rate + 1]!) / pxPerMm).toBeCloseTo(10, 6);
    expect(pts[1]).toBe(100);
  });

  it('uses 1 mm and 5 mm squares and says how many seconds fit', () => {
    const g = stripGrid(1000, 4);
    expect(g).toEqual({ smallPx: 4, largePx: 20, seconds: 10 });
  });

  it('fits a pleth wave to 80 % of the height around its middle', () => {
    const pts = stripPoints([10, 30, 20], 60, 'arb', 4, 100);
    expect(pts[1]).toBeCloseTo(90);
    expect(pts[3]).toBeCloseTo(10);
    expect(pts[5]).toBeCloseTo(50);
  });
});
