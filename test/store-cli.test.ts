import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../runtime/cli/main.ts';
import { keyOf } from '../store/engine/ids.ts';
import { openStore } from '../store/index.ts';
import { TEST_KDF, sampleObservation } from '../store/testing.ts';
import { memoryIo } from './helpers/memory-io.ts';
import { contextOf } from '../store/record-store.ts';
import { tempStores } from '../store/test-fixtures.ts';

const base = tempStores({ scope: 'file', prefix: 'fieldkit-store-cli-' }).dir();
const env = { FIELDKIT_PASSPHRASE: 'cli-pass', FIELDKIT_DATA: base };

describe('fieldkit audit / backup / restore', () => {
  it('verifies the audit chain, backs up, checks and restores', async () => {
    const store = await openStore({ path: base, passphrase: 'cli-pass', kdf: TEST_KDF });
    await store.addObservations([sampleObservation(1)]);
    await store.addObservations([sampleObservation(2)]);
    await store.close();

    const audit = memoryIo(env);
    expect(await main(['audit', 'verify'], audit)).toBe(0);
    expect(audit.out()).toMatch(/intact: 2 entries/);

    const file = join(base, '..', 'cli.fkbackup');
    const backup = memoryIo(env);
    expect(await main(['backup', file], backup)).toBe(0);
    expect(backup.out()).toContain('verified');

    const check = memoryIo(env);
    expect(await main(['restore', '--check', file], check)).toBe(0);

    const target = join(base, '..', 'restored');
    const restore = memoryIo({ ...env, FIELDKIT_DATA: target });
    expect(await main(['restore', file], restore)).toBe(0);
    expect(restore.out()).toMatch(/restored \d+ records/);

    const wrong = memoryIo({ ...env, FIELDKIT_PASSPHRASE: 'nope' });
    expect(await main(['restore', '--check', file], wrong)).toBe(1);
    expect(wrong.err()).toContain('wrong passphrase');
  });

  it('names the first broken link and exits 1', async () => {
    const store = await openStore({ path: base, passphrase: 'cli-pass' });
    await contextOf(store).dbs.tables.audit.remove(keyOf(1));
    await store.close();
    const io = memoryIo(env);
    expect(await main(['audit', 'verify'], io)).toBe(1);
    expect(io.out()).toContain('BROKEN at entry 1');
  });
});
