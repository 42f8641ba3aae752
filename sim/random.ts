/**
 * A seeded PRNG (mulberry32) so a simulated session can be replayed exactly: the same seed gives
 * the same readings and the same injected faults.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A bounded random walk step: physiological values drift, they do not jump. */
export function walk(value: number, step: number, min: number, max: number, random: () => number): number {
  const next = value + (random() * 2 - 1) * step;
  return Math.min(max, Math.max(min, next));
}
