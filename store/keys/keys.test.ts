import { randomBytes } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { openStore } from '../index.ts';
import { resetPassphraseWithRecovery } from './key-admin.ts';
import { envelopeEpoch } from '../engine/record-seal.ts';
import { beginRotation, finishRotation } from './rotation.ts';
import { TEST_KDF, sampleObservation } from '../testing.ts';
import { tempStores } from '../test-fixtures.ts';
import { contextOf } from '../record-store.ts';
import { KeyFile } from './key-file.ts';

const temp = tempStores();

async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const p of source) parts.push(p);
  return Buffer.concat(parts);
}

describe('key hierarchy', () => {
  it('changes the passphrase without re-encrypting records', async () => {
    const dir = temp.dir();
    const store = await openStore({ path: dir, passphrase: 'old', kdf: TEST_KDF });
    const [saved] = await store.addObservations([sampleObservation(1)]);
    const before = Buffer.from([...contextOf(store).dbs.tables.observations.getRange({})][0]?.value ?? []);
    await store.changePassphrase('new', TEST_KDF);
    const after = Buffer.from([...contextOf(store).dbs.tables.observations.getRange({})][0]?.value ?? []);
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
    const dir = temp.dir();
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
    const dir = temp.dir();
    const store = await openStore({ path: dir, passphrase: 'pw', kdf: TEST_KDF });
    await store.addObservations(Array.from({ length: 1200 }, (_, i) => sampleObservation(i)));
    const photo = randomBytes(200_000);
    const blob = await store.putBlob({ kind: 'photo', mediaType: 'image/jpeg' }, [photo]);
    await store.rotateDataKey();
    expect(contextOf(store).keyring.epochs).toEqual([1]);
    for (const { value } of contextOf(store).dbs.tables.observations.getRange({}))
      expect(envelopeEpoch(value)).toBe(1);
    expect((await collect(store.readBlob(blob.id))).equals(photo)).toBe(true);
    expect((await store.verifyAudit()).ok).toBe(true);
    await store.close();
    const again = await openStore({ path: dir, passphrase: 'pw' });
    expect(await again.recentObservations(2000)).toHaveLength(1200);
    await again.close();
  });

  it('resumes an interrupted rotation on the next open', async () => {
    const dir = temp.dir();
    const store = await openStore({ path: dir, passphrase: 'pw', kdf: TEST_KDF });
    await store.addObservations(Array.from({ length: 700 }, (_, i) => sampleObservation(i)));
    beginRotation(contextOf(store)); // the process "dies" before re-encrypting anything
    await store.addObservations([sampleObservation(9999)]);
    await store.close();
    const again = await openStore({ path: dir, passphrase: 'pw' });
    await again.whenIdle();
    expect(contextOf(again).keyring.epochs).toEqual([1]);
    expect(await again.recentObservations(1000)).toHaveLength(701);
    await again.close();
  });

  it('re-seals readings sealed under the old key but committed after a rotation began', async () => {
    const dir = temp.dir();
    const store = await openStore({ path: dir, passphrase: 'pw', kdf: TEST_KDF });
    await store.addObservations([sampleObservation(0)]);
    const oldEpoch = contextOf(store).keyring.currentEpoch;
    // Sealed now, ahead of their transaction, under the current key...
    const queued = Promise.all(
      Array.from({ length: 50 }, (_, i) => store.addObservations([sampleObservation(i + 1)])),
    );
    // ...which is replaced before they commit.
    beginRotation(contextOf(store));
    const newEpoch = contextOf(store).keyring.currentEpoch;
    expect(newEpoch).not.toBe(oldEpoch);
    await Promise.all([queued, finishRotation(contextOf(store))]);
    expect(contextOf(store).keyring.epochs).toEqual([newEpoch]);
    for (const { value } of contextOf(store).dbs.tables.observations.getRange({}))
      expect(envelopeEpoch(value)).toBe(newEpoch);
    await store.close();
    const again = await openStore({ path: dir, passphrase: 'pw' });
    expect(await again.recentObservations(100)).toHaveLength(51);
    await again.close();
  });

  it('hands a failed background rotation to onBackgroundError with its cause, or to stderr', async () => {
    const dir = temp.dir();
    const store = await openStore({ path: dir, passphrase: 'pw', kdf: TEST_KDF });
    await store.addObservations([sampleObservation(1)]);
    beginRotation(contextOf(store)); // the process "dies" before finishing
    await store.close();
    // The disk refuses the new key header that retires the old key (in this process only).
    const spy = vi.spyOn(KeyFile.prototype, 'replace').mockImplementation(() => {
      throw new Error('no space left on device (injected)');
    });
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const failures: { error: Error; work: string }[] = [];
      const handled = await openStore({
        path: dir,
        passphrase: 'pw',
        onBackgroundError: (error, work) => failures.push({ error, work }),
      });
      await handled.whenIdle();
      await handled.close();
      expect(failures).toHaveLength(1);
      expect(failures[0]?.work).toBe('key rotation');
      expect(failures[0]?.error.message).toMatch(/rotation could not be finished.*no space left on device/);
      expect((failures[0]?.error.cause as Error).message).toContain('no space left on device');

      const unhandled = await openStore({ path: dir, passphrase: 'pw' });
      await unhandled.whenIdle();
      await unhandled.close();
      expect(stderr).toHaveBeenCalledWith(
        expect.stringMatching(/key rotation failed: .*no space left on device/),
      );
    } finally {
      spy.mockRestore();
      stderr.mockRestore();
    }
    // Retried on the next open, once the disk takes writes again.
    const healed = await openStore({ path: dir, passphrase: 'pw' });
    await healed.whenIdle();
    expect(contextOf(healed).keyring.epochs).toHaveLength(1);
    await healed.close();
  });
});
