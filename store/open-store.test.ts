import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StoreError, openStore } from './index.ts';
import { TEST_KDF, sampleObservation } from './testing.ts';
import { tempStores } from './test-fixtures.ts';
import { contextOf } from './record-store.ts';

const temp = tempStores();

function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    files.set(name, `${statSync(p).mtimeMs}:${readFileSync(p).toString('base64')}`);
  }
  return files;
}

describe('openStore', () => {
  it('creates a store, stores observations and reads them back after reopening', async () => {
    const dir = temp.dir();
    const store = await openStore({ path: dir, passphrase: 'correct horse', kdf: TEST_KDF });
    const saved = await store.addObservations([sampleObservation(1), sampleObservation(2)]);
    expect(saved).toHaveLength(2);
    expect(saved[0]?.id).toMatch(/^o-[0-9a-f]{16}$/);
    expect(saved[0]?.recordedAt).toMatch(/^\d{4}-/);
    await store.close();

    const again = await openStore({ path: dir, passphrase: 'correct horse', create: false });
    const recent = await again.recentObservations(10);
    expect(recent.map((o) => o.id)).toEqual([saved[1]?.id, saved[0]?.id]);
    expect(recent[1]?.value).toEqual({ kind: 'quantity', value: 91, precision: 0, unit: '%' });
    expect(Uint8Array.from(recent[1]?.provenance.raw ?? [])).toEqual(sampleObservation(1).provenance.raw);
    await again.close();
  });

  it('refuses a wrong passphrase with a typed error and changes no file', async () => {
    const dir = temp.dir();
    const store = await openStore({ path: dir, passphrase: 'right', kdf: TEST_KDF });
    await store.addObservations([sampleObservation(1)]);
    await store.close();
    const before = snapshot(dir);
    const error = await openStore({ path: dir, passphrase: 'wrong' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('wrong_passphrase');
    expect(snapshot(dir)).toEqual(before);
  });

  it('says no_store when asked not to create a missing store', async () => {
    const dir = temp.dir();
    const error = await openStore({ path: dir, passphrase: 'x', create: false }).catch((e: unknown) => e);
    expect((error as StoreError).code).toBe('no_store');
    expect(existsSync(dir)).toBe(false);
  });

  it('rejects invalid options without echoing the passphrase', async () => {
    const error = await openStore({ path: '', passphrase: 'secret-words' }).catch((e: unknown) => e);
    expect((error as StoreError).code).toBe('invalid_options');
    expect((error as Error).message).not.toContain('secret-words');
  });

  it('shares one commit between many concurrent writes and acknowledges each', async () => {
    const dir = temp.dir();
    const store = await openStore({ path: dir, passphrase: 'x', kdf: TEST_KDF });
    const before = store.commitCount;
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => store.addObservations([sampleObservation(i)])),
    );
    expect(new Set(results.map((r) => r[0]?.id)).size).toBe(200);
    expect(store.commitCount - before).toBeLessThanOrEqual(2);
    expect(await store.recentObservations(500)).toHaveLength(200);
    await store.close();
  });

  it('finds observations by visit and rejects invalid input before writing', async () => {
    const dir = temp.dir();
    const store = await openStore({ path: dir, passphrase: 'x', kdf: TEST_KDF });
    await store.addObservations([sampleObservation(1, 'visit-a'), sampleObservation(2, 'visit-b')]);
    await store.addObservations([sampleObservation(3, 'visit-a')]);
    const a = await store.observationsByVisit('visit-a');
    expect(a.map((o) => o.effectiveAt)).toEqual([
      sampleObservation(1).effectiveAt,
      sampleObservation(3).effectiveAt,
    ]);
    expect(await store.observationsByVisit('visit-c')).toEqual([]);
    const bad = { ...sampleObservation(4), effectiveAt: 'yesterday' };
    const error = await store.addObservations([bad]).catch((e: unknown) => e);
    expect((error as StoreError).code).toBe('invalid_record');
    expect(await store.recentObservations(10)).toHaveLength(3);
    await store.close();
  });

  it('erases keys on close: later calls fail as locked', async () => {
    const dir = temp.dir();
    const store = await openStore({ path: dir, passphrase: 'x', kdf: TEST_KDF });
    const keyring = contextOf(store).keyring;
    const dek = keyring.dek(0);
    await store.close();
    expect(dek?.every((b) => b === 0)).toBe(true);
    const error = await store.addObservations([sampleObservation(1)]).catch((e: unknown) => e);
    expect((error as StoreError).code).toBe('locked');
  });
});
