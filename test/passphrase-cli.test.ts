import { describe, expect, it } from 'vitest';
import { openStore } from '../store/index.ts';
import { sampleObservation } from '../store/testing.ts';
import { tempStores } from '../store/test-fixtures.ts';
import { fingerprint } from './helpers/data-dir.ts';
import { runCli } from './helpers/kit-process.ts';
import { lockHolder } from './kit-lock-process.ts';

const PASS = 'forgotten soon';
const temp = tempStores({ passphrase: PASS, prefix: 'fieldkit-passphrase-' });

describe('fieldkit passphrase (the real CLI, as processes)', () => {
  it('creates a recovery key, and `reset --recovery-key` sets a new passphrase with it; audited', async () => {
    const store = await temp.open({ actor: 'medic' });
    const [saved] = await store.addObservations([sampleObservation(1)]);
    const dir = store.path;
    await store.close();

    const created = await runCli(['passphrase', 'recovery-key'], dir, PASS);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const key = /^ {2}([0-9a-f]{4}(?:-[0-9a-f]{4}){15})$/m.exec(created.stdout)?.[1] ?? '';
    expect(key).not.toBe('');

    // The passphrase is lost: only the recovery key and a new passphrase are given.
    const before = fingerprint(dir);
    const wrongKey = 'ab'.repeat(32);
    const wrong = await runCli(['passphrase', 'reset', '--recovery-key'], dir, '', {
      FIELDKIT_RECOVERY_KEY: wrongKey,
      FIELDKIT_NEW_PASSPHRASE: 'remembered',
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('wrong recovery key');
    expect(fingerprint(dir)).toBe(before);

    const noFlag = await runCli(['passphrase', 'reset'], dir, '', { FIELDKIT_RECOVERY_KEY: key });
    expect(noFlag.code).toBe(2);
    expect(noFlag.stderr).toContain('--recovery-key');

    const reset = await runCli(['passphrase', 'reset', '--recovery-key'], dir, '', {
      FIELDKIT_RECOVERY_KEY: key.toUpperCase().replaceAll('-', ' '),
      FIELDKIT_NEW_PASSPHRASE: 'remembered',
    });
    expect(reset.stderr).toBe('');
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain('passphrase reset');

    await expect(openStore({ path: dir, passphrase: PASS, create: false })).rejects.toMatchObject({
      code: 'wrong_passphrase',
    });
    const again = await temp.reopen(dir, { passphrase: 'remembered', create: false });
    expect((await again.getObservation(saved?.id ?? '')).id).toBe(saved?.id);
    const rekeys = (await again.readAudit()).filter((e) => e.action === 'rekey');
    expect(rekeys.map((e) => [e.actor, e.recordIds])).toEqual([
      ['cli-passphrase', ['recovery-key']],
      ['cli-passphrase', ['passphrase-reset-with-recovery-key']],
    ]);
    expect((await again.verifyAudit()).ok).toBe(true);
  }, 60_000);

  it('refuses while a kit holds the data directory, changing nothing', async () => {
    const store = await temp.open();
    const key = await store.createRecoveryKey();
    const dir = store.path;
    await store.close();
    const holder = lockHolder(dir);
    try {
      expect(await holder.outcome).toBe('held');
      const before = fingerprint(dir);
      const reset = await runCli(['passphrase', 'reset', '--recovery-key'], dir, '', {
        FIELDKIT_RECOVERY_KEY: key,
        FIELDKIT_NEW_PASSPHRASE: 'x',
      });
      expect(reset.code).toBe(1);
      expect(reset.stderr).toContain('stop the kit first');
      const change = await runCli(['passphrase', 'change'], dir, PASS, { FIELDKIT_NEW_PASSPHRASE: 'x' });
      expect(change.code).toBe(1);
      expect(fingerprint(dir)).toBe(before);
    } finally {
      await holder.kill();
    }
  }, 60_000);
});
