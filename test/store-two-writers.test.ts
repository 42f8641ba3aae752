import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../store/index.ts';
import { TEST_KDF, tempDir } from '../store/testing.ts';
import { onLines } from './helpers/lines.ts';
import { buildStoreChild } from './store-child.ts';

let bundle = '';
const t = tempDir('fieldkit-two-writers-');
beforeAll(async () => {
  bundle = await buildStoreChild();
});
afterAll(() => t.cleanup());

/** Runs one writer child until it has `target` acknowledgements, then SIGKILLs it. */
function runWriter(start: number, target: number): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle, t.dir, String(start)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked = new Map<string, number>();
    let stderr = '';
    onLines(child.stdout, (line) => {
      const [id, n] = line.split(' ');
      if (!id || !n) return;
      acked.set(id, Number(n));
      if (acked.size >= target) child.kill('SIGKILL');
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited early (${code}): ${stderr}`));
      else resolve(acked);
    });
  });
}

describe('two processes writing one store', () => {
  // Ids are reserved ahead of each transaction (store/key-reservation.ts); two writers must never
  // be handed the same ids, or one reading would silently overwrite another.
  it('keeps every acknowledged reading of both writers, each under its own id', async () => {
    const setup = await openStore({ path: t.dir, passphrase: 'crash-test', kdf: TEST_KDF });
    await setup.close();
    const [a, b] = await Promise.all([runWriter(0, 20_000), runWriter(1_000_000, 20_000)]);
    const idsOfA = new Set(a.keys());
    expect([...b.keys()].filter((id) => idsOfA.has(id))).toEqual([]);
    const store = await openStore({ path: t.dir, passphrase: 'crash-test', create: false });
    for (const [id, n] of [...a, ...b]) {
      const o = await store.getObservation(id);
      expect(o.value?.kind === 'quantity' ? o.value.value : NaN, id).toBe(n);
    }
    expect((await store.verifyAudit()).ok).toBe(true);
    await store.close();
  }, 120_000);
});
