import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../runtime/cli/main.ts';
import { readAudit } from '../store/audit/audit-log.ts';
import { openStore } from '../store/index.ts';
import { TEST_KDF, sampleObservation } from '../store/testing.ts';
import { fingerprint } from './helpers/data-dir.ts';
import { failRestoreAudit } from './helpers/fail-restore-audit.ts';
import { memoryIo } from './helpers/memory-io.ts';
import { contextOf } from '../store/record-store.ts';
import { tempStores } from '../store/test-fixtures.ts';

const base = tempStores({ scope: 'file', prefix: 'fieldkit-restore-cli-' }).dir();
const source = join(base, 'source');
const target = join(base, 'target');
const file = join(base, 'kit.fkbackup');
const env = { FIELDKIT_PASSPHRASE: 'cli-pass', FIELDKIT_DATA: target };

beforeAll(async () => {
  const store = await openStore({ path: source, passphrase: 'cli-pass', kdf: TEST_KDF });
  await store.addObservations([sampleObservation(1), sampleObservation(2)]);
  await store.close();
  expect(await main(['backup', file], memoryIo({ ...env, FIELDKIT_DATA: source }))).toBe(0);
  // An existing store at the target, which the restore replaces.
  const old = await openStore({ path: target, passphrase: 'cli-pass', kdf: TEST_KDF });
  await old.addObservations([sampleObservation(3)]);
  await old.close();
});

describe('fieldkit restore: the audit entry', () => {
  it('records the restore (actor cli-restore, backup-<SHA-256 prefix>) and `audit verify` passes', async () => {
    const io = memoryIo(env);
    expect(await main(['restore', file], io)).toBe(0);
    const name = `backup-${createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 16)}`;
    expect(io.out()).toContain(`recorded in its audit log as a restore of ${name}`);

    const audit = memoryIo(env);
    expect(await main(['audit', 'verify'], audit)).toBe(0);
    expect(audit.out()).toMatch(/audit chain intact/);

    const store = await openStore({ path: target, passphrase: 'cli-pass', create: false });
    try {
      const last = readAudit(contextOf(store)).at(-1);
      expect(last).toMatchObject({ actor: 'cli-restore', action: 'restore', table: 'store' });
      expect(last?.recordIds[0]).toBe(name);
      expect(last?.recordIds[1]).toMatch(/^taken-\d{4}-\d\d-\d\dT/);
    } finally {
      await store.close();
    }
  });

  it('exits 1 with a clear message when the entry cannot be written; the store in place and the kept one are untouched', async () => {
    const before = fingerprint(target);
    const around = readdirSync(dirname(target)).sort();
    const undo = failRestoreAudit();
    const io = memoryIo(env);
    try {
      expect(await main(['restore', file], io)).toBe(1);
    } finally {
      undo();
    }
    expect(io.out()).toBe('');
    expect(io.err()).toMatch(/could not record the restore in the restored store's audit log/i);
    expect(io.err()).toContain('Nothing was changed.');
    expect(fingerprint(target)).toBe(before);
    expect(readdirSync(dirname(target)).sort()).toEqual(around);
  });
});
