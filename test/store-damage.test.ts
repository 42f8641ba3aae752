import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { open } from 'lmdb';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../runtime/cli/main.ts';
import { verifyBackup } from '../store/index.ts';
import { keyOf, keyOfId } from '../store/engine/ids.ts';
import { DB_FILE } from '../store/keys/key-file.ts';
import { tempStores } from '../store/test-fixtures.ts';
import { pairWithKitProcess, startKit } from './helpers/kit-process.ts';
import { memoryIo } from './helpers/memory-io.ts';

/**
 * The acceptance test of issue 8, part 2: a real kit writes a data directory, then bytes are
 * flipped in some of its records on disk, as rot on a field laptop's disk would. Every way in
 * must contain the damage and name it: the tablet's list, `fieldkit check`, `backup`,
 * `restore --check` (the same records as `restore`), and `restore --salvage` gives a store that
 * `fieldkit check` passes.
 */
const PASS = 'damage-test';
const temp = tempStores({ scope: 'file', passphrase: PASS, prefix: 'fieldkit-damage-' });
const env = (data: string) => ({ FIELDKIT_PASSPHRASE: PASS, FIELDKIT_DATA: data });

interface Victim {
  readonly table: string;
  readonly id: string;
  readonly db: string;
  readonly key: Buffer;
}

/** Flips one byte in the middle of every copy of each victim's stored value in records.mdb. */
function rot(dir: string, victims: readonly Victim[]): void {
  const env = open<Buffer, Buffer>({ path: join(dir, DB_FILE), maxDbs: 32, readOnly: true });
  const values = victims.map((v) => {
    const db = env.openDB<Buffer, Buffer>({ name: v.db, encoding: 'binary', keyEncoding: 'binary' });
    const value = db.get(v.key);
    if (!value) throw new Error(`no ${v.table} ${v.id}`);
    return Buffer.from(value);
  });
  void env.close();
  const file = readFileSync(join(dir, DB_FILE));
  for (const value of values) {
    let at = file.indexOf(value);
    if (at < 0) throw new Error('value not found in the file');
    // LMDB copies pages on write: older copies of a value may remain; rot them all.
    for (; at >= 0; at = file.indexOf(value, at + 1)) {
      const i = at + Math.floor(value.byteLength / 2);
      file[i] = (file[i] ?? 0) ^ 0x20;
    }
  }
  writeFileSync(join(dir, DB_FILE), file);
}

/** `table id (code)` lines of a command's output, as `table id`. */
function named(output: string): string[] {
  return [...output.matchAll(/^\s+(\w+) ([a-z]-[0-9a-f]{16,18}) \((\w+)\)$/gm)]
    .map((m) => `${m[1]} ${m[2]}`)
    .sort();
}

async function cli(args: string[], data: string) {
  const io = memoryIo(env(data));
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

let dir = '';
let readable: string[] = [];
let victims: Victim[] = [];
let expected: string[] = [];

beforeAll(async () => {
  // Created with light Argon2id so this file's many opens stay fast; everything in it after that
  // is written by the real kit process and the real store code.
  const store = await temp.open();
  dir = store.path;
  const patient = await store.addPatient({ familyName: 'Воронцова', givenName: 'Ольга' });
  const spare = await store.addPatient({ familyName: 'Белов' });
  const visit = await store.openVisit({ patientId: patient.id });
  const strip = Buffer.alloc(200_000, 7);
  const photo = await store.putBlob({ kind: 'photo', mediaType: 'image/jpeg', visitId: visit.id }, [strip]);
  await store.close();

  const kit = startKit(dir, PASS, ['--oximeter-hz', '40']);
  const first = await pairWithKitProcess(kit, dir, PASS);
  let stored: { id: string }[] = [];
  while (stored.length < 120) {
    await new Promise((r) => setTimeout(r, 200));
    stored = (await first.client.request('/api/observations?limit=500', { token: first.token })).json();
  }
  kit.child.kill('SIGTERM');
  expect((await kit.exit).code).toBe(0);

  const again = await temp.reopen(dir);
  const all = (await again.recentObservations(10_000)).map((o) => o.id);
  await again.close();
  const rotten = [all[5], all[40], all[90]].filter((id): id is string => id !== undefined);
  victims = [
    ...rotten.map((id) => ({
      table: 'observations',
      id,
      db: 't:observations',
      key: keyOfId('o', id, 'observations'),
    })),
    { table: 'patients', id: spare.id, db: 't:patients', key: keyOfId('p', spare.id, 'patients') },
    {
      table: 'attachments',
      id: photo.id,
      db: 'chunks',
      key: Buffer.concat([keyOfId('a', photo.id, 'attachments'), Buffer.from([0, 0, 0, 1])]),
    },
    { table: 'audit', id: 'u-0000000000000002', db: 't:audit', key: keyOf(2) },
  ];
  expected = victims.map((v) => `${v.table} ${v.id}`).sort();
  readable = all.filter((id) => !rotten.includes(id));
  rot(dir, victims);
}, 120_000);

describe('a data directory with rotten records', () => {
  it('the kit serves every readable reading and names the damaged ones to the tablet', async () => {
    const kit = startKit(dir, PASS);
    try {
      const { client, token } = await pairWithKitProcess(kit, dir, PASS);
      const res = await client.request('/api/observations?limit=500', { token });
      expect(res.status).toBe(200);
      const ids = res.json<{ id: string }[]>().map((o) => o.id);
      for (const id of readable) expect(ids).toContain(id);
      const damaged = victims.filter((v) => v.table === 'observations').map((v) => v.id);
      expect(ids.filter((id) => damaged.includes(id))).toEqual([]);
      expect(res.headers['fieldkit-damaged-count']).toBe(String(damaged.length));
      expect(String(res.headers['fieldkit-damaged-ids']).split(',').sort()).toEqual([...damaged].sort());
    } finally {
      kit.child.kill('SIGTERM');
      expect((await kit.exit).code).toBe(0);
    }
  });

  it('`fieldkit check` exits 1 naming every damaged record, and the broken audit chain', async () => {
    const check = await cli(['check'], dir);
    expect(check.code).toBe(1);
    expect(named(check.out)).toEqual(expected);
    expect(check.out).toMatch(/audit chain: BROKEN at entry 2/);
    expect(check.out).toMatch(/DAMAGED: 6 damaged records/);
  });

  it('backup copies everything and names the damage in its output and trailer; restore --check finds what restore finds', async () => {
    const file = join(dirname(dir), 'rotten.fkbackup');
    // The kit's second run added readings: what the backup holds is what the store lists now.
    const source = await temp.reopen(dir);
    readable = (await source.recentObservations(10_000)).map((o) => o.id);
    await source.close();
    expect(source.damaged.count).toBe(3); // the list met the three rotten readings and skipped them
    const backup = await cli(['backup', file], dir);
    expect(backup.code).toBe(1);
    expect(backup.out).toContain('backup written and verified');
    expect(named(backup.out)).toEqual(expected);
    const trailer = await verifyBackup(file, PASS);
    expect(trailer.damaged?.count).toBe(expected.length);
    expect(trailer.damaged?.records.map((r) => `${r.table} ${r.id}`).sort()).toEqual(expected);

    const target = join(dirname(dir), 'restored');
    const check = await cli(['restore', '--check', file], target);
    expect(check.code).toBe(1);
    const restore = await cli(['restore', file], target);
    expect(restore.code).toBe(1);
    expect(restore.err).toMatch(/Restore refused; nothing was changed/);
    expect(named(check.out)).toEqual(expected);
    expect(named(restore.out)).toEqual(named(check.out));
  });

  it('restore --salvage restores every readable record, lists the lost ones, and the result checks whole', async () => {
    const file = join(dirname(dir), 'rotten.fkbackup');
    const target = join(dirname(dir), 'restored');
    const salvage = await cli(['restore', '--salvage', file], target);
    expect(salvage.err).toBe('');
    expect(salvage.code).toBe(0);
    expect(named(salvage.out)).toEqual(expected);
    const store = await temp.reopen(target);
    const ids = (await store.recentObservations(10_000)).map((o) => o.id);
    expect([...ids].sort()).toEqual([...readable].sort());
    expect((await store.findPatientsByNamePrefix('Вор')).map((p) => p.familyName)).toEqual(['Воронцова']);
    expect(await store.findPatientsByNamePrefix('Бел')).toEqual([]);
    const entries = await store.readAudit(1, 100_000);
    const deleted = entries
      .filter((e) => e.action === 'delete')
      .flatMap((e) => e.recordIds.map((id) => `${e.table} ${id}`));
    expect(deleted.sort()).toEqual(expected);
    await store.close();
    const check = await cli(['check'], target);
    expect(check.out).toMatch(/store is whole/);
    expect(check.code).toBe(0);
    expect((await cli(['audit', 'verify'], target)).code).toBe(0);
  });
});
