import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hourBucket, inHourBucket } from './blind-index.ts';

// ISO times in the forms readings carry: UTC (`Z`, with or without fraction) and with an offset.
const iso = fc
  .tuple(
    fc.date({
      min: new Date('2000-01-01T00:00:00Z'),
      max: new Date('2099-12-31T23:59:59Z'),
      noInvalidDate: true,
    }),
    fc.constantFrom('Z', 'Z-no-fraction', '+03:00', '-05:30', '+00:00'),
  )
  .map(([d, form]) => {
    const utc = d.toISOString();
    if (form === 'Z') return utc;
    if (form === 'Z-no-fraction') return `${utc.slice(0, 19)}Z`;
    const sign = form[0] === '+' ? 1 : -1;
    const minutes = sign * (Number(form.slice(1, 3)) * 60 + Number(form.slice(4, 6)));
    const local = new Date(d.getTime() + minutes * 60_000).toISOString().slice(0, 19);
    return `${local}${form}`;
  });

describe('inHourBucket', () => {
  it('says exactly whether hourBucket(iso) is the bucket, for its own and neighbouring hours', () => {
    fc.assert(
      fc.property(iso, iso, fc.integer({ min: -2, max: 2 }), (a, b, shift) => {
        const own = hourBucket(a);
        const near = hourBucket(new Date(Date.parse(a) + shift * 3_600_000).toISOString());
        for (const bucket of [own, near, hourBucket(b), own.slice(0, 12), `${own}0`])
          expect(inHourBucket(a, bucket)).toBe(hourBucket(a) === bucket);
      }),
      { numRuns: 2000 },
    );
  });
});
