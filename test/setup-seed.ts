import fc from 'fast-check';
import { beforeEach } from 'vitest';
import { testSeed } from './helpers/seed.ts';

// Every fast-check property runs from the run's seed (replayable with FIELDKIT_TEST_SEED), and
// every failed test names that seed.
const seed = testSeed();
fc.configureGlobal({ seed });
beforeEach(({ onTestFailed }) => {
  onTestFailed(() => {
    process.stderr.write(`\nthis run's test seed: ${seed} (replay with FIELDKIT_TEST_SEED=${seed})\n`);
  });
});
