import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openStore } from '../index.ts';
import { resetPassphraseWithRecovery } from './key-admin.ts';
import { envelopeEpoch } from '../engine/record-seal.ts';
import { beginRotation, finishRotation } from './rotation.ts';
import { TEST_KDF, sampleObservation } from '../testing.ts';
import { tempDirs } from '../test-fixtures.ts';

const fresh = tempDirs();

async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const p of source) parts.push(p);
  return Buffer.concat(parts);
}

describe('key hierarchy', () => {
  it('changes the passphrase without re-encrypting records', async () => {
    const dir = fresh();
    const store = await openStore({ path: dir, passphrase: 'old', kdf: TEST_KDF });
    const [saved] = await store.addObservations([sampleObservation(1)]);
    const before = Buffer.from([...store.context.dbs.tables.observations.getRange({})][0]?.value ?? []);
    await store.changePassphrase('new', TEST_KDF);
    const after = Buffer.from([...store.context.dbs.tables.observations.getRange({})][0]?.value ?? []);
    expect(after.equals(before)).toBe(true);
    await store.close();
    await expect(openStore({ path: dir, passphrase: 'old' })).rejects.toMatchObject({
      code: 'wrong_passphrase',
    });
    const again = await openStore({ path: dir, passphrase: 'new' });
    expect((await again.getObservation(saved?.id ?? '')).id).toBe(saved?.id);
    await again.close();
  });

  it('resets a forgotten passphrase with the recovery key', async () => {
    const dir = fresh();
    const store = await openStore({ path: dir, passphrase: 'forgotten', kdf: TEST_KDF });
    const recovery = await store.createRecoveryKey();
    expect(recovery).toMatch(/^([0-9a-f]{4}-){15}[0-9a-f]{4}$/);
    await store.close();
    await expect(resetPassphraseWithRecovery(dir, 'ab'.repeat(32), 'x', TEST_KDF)).rejects.toMatchObject({
      code: 'wrong_passphrase',
    });
    await resetPassphraseWithRecovery(dir, recovery, 'remembered', TEST_KDF);
    const again = await openStore({ path: dir, passphrase: 'remembered' });
    await again.close();
  });

  it('rotates the data key, re-encrypting records and blobs, then retires the old key', async () => {
    const dir = fresh();
    const store = await openStore({ path: dir, passphrase: 'pw', kdf: TEST_KDF });
    await store.addObservations(Array.from({ length: 1200 }, (_, i) => sampleObservation(i)));
    const photo = randomBytes(200_000);
    const blob = await store.putBlob({ kind: 'photo', mediaType: 'image/jpeg' }, [photo]);
    await store.rotateDataKey();
    expect(store.context.keyring.epochs).toEqual([1]);
    for (const { value } of store.context.dbs.tables.observations.getRange({}))
      expect(envelopeEpoch(value)).toBe(1);
    expect((await collect(store.readBlob(blob.id))).equals(photo)).toBe(true);
    expect((await store.verifyAudit()).ok).toBe(true);
    await store.close();
    const again = await openStore({ path: dir, passphrase: 'pw' });
    expect(await again.recentObservations(2000)).toHaveLength(1200);
    await again.close();
  });

  it('resumes an interrupted rotation on the next open', async () => {
    const dir = fresh();
    const store = await openStore({ path: dir, passphrase: 'pw', kdf: TEST_KDF });
    await store.addObservations(Array.from({ length: 700 }, (_, i) => sampleObservation(i)));
    beginRotation(store); // the process "dies" before re-encrypting anything
    await store.addObservations([sampleObservation(9999)]);
    await store.close();
    const again = await openStore({ path: dir, passphrase: 'pw' });
    await again.whenIdle();
    expect(again.context.keyring.epochs).toEqual([1]);
    expect(await again.recentObservations(1000)).toHaveLength(701);
    await again.close();
  });

  it('re-seals readings sealed under the old key but committed after a rotation began', async () => {
    const dir = fresh();
    const store = await openStore({ path: dir, passphrase: 'pw', kdf: TEST_KDF });
    await store.addObservations([sampleObservation(0)]);
    const oldEpoch = store.context.keyring.currentEpoch;
    // Sealed now, ahead of their transaction, under the current key...
    const queued = Promise.all(
      Array.from({ length: 50 }, (_, i) => store.addObservations([sampleObservation(i + 1)])),
    );
    // ...which is replaced before they commit.
    beginRotation(store);
    const newEpoch = store.context.keyring.currentEpoch;
    expect(newEpoch).not.toBe(oldEpoch);
    await Promise.all([queued, finishRotation(store)]);
    expect(store.context.keyring.epochs).toEqual([newEpoch]);
    for (const { value } of store.context.dbs.tables.observations.getRange({}))
      expect(envelopeEpoch(value)).toBe(newEpoch);
    await store.close();
    const again = await openStore({ path: dir, passphrase: 'pw' });
    expect(await again.recentObservations(100)).toHaveLength(51);
    await again.close();
  });
});
