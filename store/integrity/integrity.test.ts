import { afterEach, describe, expect, it } from 'vitest';
import { open } from 'lmdb';
import { join } from 'node:path';
import { StoreError, openStore } from '../index.ts';
import { DB_FILE } from '../keys/key-file.ts';
import { keyOfId } from '../engine/ids.ts';
import { sealPlain, sealRecord } from '../engine/record-seal.ts';
import { TEST_KDF, sampleObservation, tempDir } from '../testing.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

async function storeWithThree() {
  const t = tempDir();
  cleanups.push(t.cleanup);
  const store = await openStore({ path: t.dir, passphrase: 'pw', kdf: TEST_KDF });
  const saved = await store.addObservations([
    sampleObservation(1),
    sampleObservation(2),
    sampleObservation(3),
  ]);
  return { dir: t.dir, store, ids: saved.map((o) => o.id) };
}

/** Edits one stored value in the LMDB file directly, as a disk fault or an attacker would. */
async function tamper(dir: string, id: string, edit: (value: Buffer) => Buffer) {
  const env = open<Buffer, Buffer>({
    path: join(dir, DB_FILE),
    maxDbs: 32,
    encoding: 'binary',
    keyEncoding: 'binary',
  });
  const db = env.openDB<Buffer, Buffer>({
    name: 't:observations',
    encoding: 'binary',
    keyEncoding: 'binary',
  });
  const key = keyOfId('o', id, 'observations');
  const value = db.get(key);
  if (!value) throw new Error('no such record');
  await db.put(key, edit(Buffer.from(value)));
  await env.close();
}

async function errorOf(p: Promise<unknown>): Promise<StoreError> {
  const e = await p.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(e).toBeInstanceOf(StoreError);
  return e as StoreError;
}

describe('integrity', () => {
  it('names the record whose byte was flipped and keeps the rest readable', async () => {
    const { dir, store, ids } = await storeWithThree();
    await store.close();
    await tamper(dir, ids[1] ?? '', (v) => {
      v[v.length - 20] = (v[v.length - 20] ?? 0) ^ 0x01;
      return v;
    });
    const again = await openStore({ path: dir, passphrase: 'pw' });
    const error = await errorOf(again.recentObservations(10));
    expect(error.code).toBe('integrity');
    expect(error.table).toBe('observations');
    expect(error.recordId).toBe(ids[1]);
    expect(error.message).toContain(ids[1]);
    const damaged: StoreError[] = [];
    const rest = await again.recentObservations(10, { onDamaged: (e) => damaged.push(e) });
    expect(rest.map((o) => o.id)).toEqual([ids[2], ids[0]]);
    expect(damaged.map((e) => e.recordId)).toEqual([ids[1]]);
    await again.close();
  });

  it('treats a flipped schema-version byte as tampering (the header is authenticated)', async () => {
    const { dir, store, ids } = await storeWithThree();
    await store.close();
    await tamper(dir, ids[0] ?? '', (v) => {
      v[2] = (v[2] ?? 0) ^ 1;
      return v;
    });
    const again = await openStore({ path: dir, passphrase: 'pw' });
    expect((await errorOf(again.recentObservations(10))).code).toBe('integrity');
    await again.close();
  });

  it('reports a truncated record as corrupt_record', async () => {
    const { dir, store, ids } = await storeWithThree();
    await store.close();
    await tamper(dir, ids[2] ?? '', (v) => v.subarray(0, 20));
    const again = await openStore({ path: dir, passphrase: 'pw' });
    const error = await errorOf(again.recentObservations(1));
    expect(error.code).toBe('corrupt_record');
    expect(error.recordId).toBe(ids[2]);
    await again.close();
  });

  it('reports undecodable CBOR inside a valid envelope as corrupt_record', async () => {
    const { store, ids } = await storeWithThree();
    const ctx = store.context;
    const key = keyOfId('o', ids[0] ?? '', 'observations');
    const garbage = Uint8Array.from([0xbf, 0x61, 0x61, 0x1c]); // indefinite map, reserved additional info
    await ctx.dbs.tables.observations.put(key, sealPlain(ctx.keyring, 'observations', key, 1, garbage));
    const error = await errorOf(store.observationsByVisit('v-1'));
    expect(error.code).toBe('corrupt_record');
    expect(error.recordId).toBe(ids[0]);
    await store.close();
  });

  it('reports a schema version from the future as unknown_schema', async () => {
    const { store, ids } = await storeWithThree();
    const ctx = store.context;
    const key = keyOfId('o', ids[0] ?? '', 'observations');
    await ctx.dbs.tables.observations.put(key, sealRecord(ctx.keyring, 'observations', key, 7, { a: 1 }));
    const error = await errorOf(store.observationsByVisit('v-1'));
    expect(error.code).toBe('unknown_schema');
    expect(error.message).toContain('version 7');
    await store.close();
  });

  it('refuses a record moved under another id (AAD binds the record id)', async () => {
    const { store, ids } = await storeWithThree();
    const ctx = store.context;
    const a = keyOfId('o', ids[0] ?? '', 'observations');
    const b = keyOfId('o', ids[1] ?? '', 'observations');
    const moved = ctx.dbs.tables.observations.get(a);
    if (!moved) throw new Error('missing');
    await ctx.dbs.tables.observations.put(b, moved);
    const error = await errorOf(store.recentObservations(10));
    expect(error.recordId).toBe(ids[1]);
    expect(error.code).toBe('integrity');
    await store.close();
  });
});
