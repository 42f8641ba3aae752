import { inject } from 'vitest';
import { seededRandom } from '../../sim/random.ts';

/**
 * The run's seed (chosen once by test/global-setup.ts: FIELDKIT_TEST_SEED or a fresh one). Every
 * random choice a test makes comes from it, so a failure seen once can be replayed exactly; the
 * seed is printed at the start of the run and beside each failed test (test/setup-seed.ts).
 */
export function testSeed(): number {
  return inject('testSeed');
}

/** A PRNG for one purpose (`label`), derived from the run's seed: independent streams per label. */
export function testRandom(label: string): () => number {
  let h = testSeed() >>> 0;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x9e3779b1) >>> 0;
  return seededRandom(h);
}
