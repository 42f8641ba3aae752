import { beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../store/index.ts';
import { TEST_KDF } from '../store/testing.ts';
import { buildStoreChild, runStoreChild } from './store-child.ts';
import { tempStores } from '../store/test-fixtures.ts';

let bundle = '';
const base = tempStores({ scope: 'file', prefix: 'fieldkit-two-writers-' }).dir();
beforeAll(async () => {
  bundle = await buildStoreChild();
});

/** Runs one writer child until it has `target` acknowledgements, then SIGKILLs it. */
function runWriter(start: number, target: number): Promise<Map<string, number>> {
  return runStoreChild(bundle, base, start, { afterAcks: target });
}

describe('two processes writing one store', () => {
  // Ids are reserved ahead of each transaction (store/engine/key-reservation.ts); two writers must never
  // be handed the same ids, or one reading would silently overwrite another.
  it('keeps every acknowledged reading of both writers, each under its own id', async () => {
    const setup = await openStore({ path: base, passphrase: 'crash-test', kdf: TEST_KDF });
    await setup.close();
    const [a, b] = await Promise.all([runWriter(0, 20_000), runWriter(1_000_000, 20_000)]);
    const idsOfA = new Set(a.keys());
    expect([...b.keys()].filter((id) => idsOfA.has(id))).toEqual([]);
    const store = await openStore({ path: base, passphrase: 'crash-test', create: false });
    for (const [id, n] of [...a, ...b]) {
      const o = await store.getObservation(id);
      expect(o.value?.kind === 'quantity' ? o.value.value : NaN, id).toBe(n);
    }
    expect((await store.verifyAudit()).ok).toBe(true);
    await store.close();
  }, 120_000);
});
