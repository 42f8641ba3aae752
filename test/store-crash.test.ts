import { beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../store/index.ts';
import { tempStores } from '../store/test-fixtures.ts';
import { testRandom } from './helpers/seed.ts';
import { buildStoreChild, runStoreChild } from './store-child.ts';

const ROUNDS = Number(process.env.FIELDKIT_CRASH_ROUNDS ?? 50);
let bundle = '';

const base = tempStores({ scope: 'file', prefix: 'fieldkit-crash-' }).dir();
beforeAll(async () => {
  bundle = await buildStoreChild();
});
/**
 * Runs the child until ingest is under way (its first acknowledgement: a loaded machine may take
 * longer than any fixed delay to get there), then SIGKILLs it a random moment later, so kills land
 * anywhere in the commit cycle.
 */
function runAndKill(start: number, killAfterMs: number): Promise<Map<string, number>> {
  return runStoreChild(bundle, base, start, { afterAcks: 1, thenMs: killAfterMs });
}

describe('crash safety', () => {
  it(`keeps every acknowledged reading through ${ROUNDS} SIGKILLs during heavy ingest`, async () => {
    let next = 0;
    let totalAcked = 0;
    const random = testRandom('crash kill times');
    for (let round = 0; round < ROUNDS; round++) {
      const acked = await runAndKill(next, Math.floor(random() * 260));
      next += 1_000_000;
      totalAcked += acked.size;
      // Opens without repair: a plain open, every acknowledged record present and decrypting.
      const store = await openStore({ path: base, passphrase: 'crash-test', create: false });
      for (const [id, n] of acked) {
        const o = await store.getObservation(id);
        expect(o.value?.kind === 'quantity' ? o.value.value : NaN, `round ${round}: ${id}`).toBe(n);
      }
      expect((await store.verifyAudit()).ok).toBe(true);
      await store.close();
    }
    // Heavy ingest: thousands acknowledged in all, so the kills land mid-commit many times.
    expect(totalAcked).toBeGreaterThan(ROUNDS * 50);
  }, 240_000);
});
