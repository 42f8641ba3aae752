import { describe, expect, it } from 'vitest';
import { SealSlabs } from './seal-slabs.ts';

describe('seal slabs', () => {
  it('hands out disjoint views of the asked sizes, a slab after another, oversize ones alone', () => {
    const slabs = new SealSlabs();
    const views = [1100, 1100, 200_000, 70_000, 300_000, 5].map((n) => slabs.take(n));
    expect(views.map((v) => v.byteLength)).toEqual([1100, 1100, 200_000, 70_000, 300_000, 5]);
    views.forEach((v, i) => v.fill(i + 1));
    views.forEach((v, i) => expect(v.every((b) => b === i + 1)).toBe(true));
    slabs.release();
  });

  it('reuses released slabs for the next commit', () => {
    const first = new SealSlabs();
    const a = first.take(1000);
    first.release();
    const second = new SealSlabs();
    const b = second.take(1000);
    expect(b.buffer).toBe(a.buffer);
    second.release();
  });
});
