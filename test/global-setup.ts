import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The seed of this run's randomness (see test/helpers/seed.ts). */
    testSeed: number;
  }
}

/**
 * Builds the tablet app once before the suite, so server and browser tests serve the current
 * code, and picks the run's one random seed: FIELDKIT_TEST_SEED, or a fresh one, printed here
 * and beside every failed test so any run can be replayed.
 */
export default function setup(project: TestProject): void {
  execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build-pwa.js', import.meta.url))], {
    stdio: 'inherit',
  });
  const given = process.env.FIELDKIT_TEST_SEED;
  const seed = given !== undefined && given !== '' ? Number(given) : randomInt(2 ** 31);
  if (!Number.isSafeInteger(seed)) throw new Error(`FIELDKIT_TEST_SEED must be an integer, got '${given}'`);
  process.stdout.write(`test seed ${seed} (replay with FIELDKIT_TEST_SEED=${seed})\n`);
  project.provide('testSeed', seed);
}
