import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempStores } from '../store/test-fixtures.ts';
import { runCli } from './helpers/kit-process.ts';

const temp = tempStores();

// The administrator's steps as processes: an organisation key, a kit's device keys, a signed
// directory, enrolment at the hub, and what each refuses. Argon2id runs at production strength
// in every process here (org key, kit store, hub store).
describe('fieldkit org and fieldkit hub enroll|list|revoke', () => {
  it('makes an org key once, signs a directory with a kit in it, shows it; the hub enrols, lists and revokes the kit', async () => {
    const org = temp.dir();
    const hub = temp.dir();
    const env = { FIELDKIT_ORG_PASSPHRASE: 'org secret' };

    const init = await runCli(['org', 'init', '--dir', org], hub, 'unused', env);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('Organisation key created');
    const again = await runCli(['org', 'init', '--dir', org], hub, 'unused', env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');

    const badKey = await runCli(['hub', 'enroll', 'x', 'not-a-key', '--data', hub], hub, 'hub pass');
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toContain('32 bytes of base64url');

    // Enrolment creates the hub's store (--data: the hub's own, never FIELDKIT_DATA, the kit's);
    // the hub store's device keys stand in for a kit's here.
    const bogus = 'A'.repeat(43);
    const enrol = await runCli(
      ['hub', 'enroll', 'kit-01', bogus, '--label', 'Бригада 1', '--data', hub],
      hub,
      'hub pass',
    );
    expect(enrol.code, enrol.stderr).toBe(0);
    expect(enrol.stdout).toContain('Enrolled device');
    const hubKeys = await runCli(['org', 'device'], hub, 'hub pass');
    expect(hubKeys.code, hubKeys.stderr).toBe(0);
    const { key, box } = JSON.parse(hubKeys.stdout) as { key: string; box: string };

    const source = join(org, 'directory.json');
    writeFileSync(
      source,
      JSON.stringify({
        identities: [
          { id: 'kit-01', role: 'kit', name: 'Бригада 1', devices: [{ key, box }] },
          { id: 'spec-1', role: 'specialist', name: 'Иванова А. П.', devices: [] },
        ],
      }),
    );
    const signed = await runCli(['org', 'sign', source, '--dir', org], hub, 'unused', env);
    expect(signed.code, signed.stderr).toBe(0);
    expect(signed.stdout).toMatch(/serial 1 with 2 identities/);
    const resigned = await runCli(['org', 'sign', source, '--dir', org], hub, 'unused', env);
    expect(resigned.stdout).toMatch(/serial 2 /);
    const wrongPass = await runCli(['org', 'sign', source, '--dir', org], hub, 'unused', {
      FIELDKIT_ORG_PASSPHRASE: 'wrong',
    });
    expect(wrongPass.code).toBe(1);
    expect(wrongPass.stderr).toMatch(/wrong passphrase/i);

    const shown = await runCli(['org', 'show', join(org, 'directory.fkd'), '--dir', org], hub, 'unused');
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('Directory serial 2');
    expect(shown.stdout).toContain('kit-01 (kit) Бригада 1');

    // A directory altered after signing is refused with a clear error.
    const fkd = readFileSync(join(org, 'directory.fkd'));
    fkd[fkd.length - 5]! ^= 1;
    const tampered = join(org, 'tampered.fkd');
    writeFileSync(tampered, fkd);
    const refused = await runCli(['org', 'show', tampered, '--dir', org], hub, 'unused');
    expect(refused.code).toBe(1);
    expect(refused.stderr).not.toMatch(/\n\s+at /);

    const listed = await runCli(['hub', 'list', '--data', hub], hub, 'hub pass');
    expect(listed.stdout).toMatch(/kit-01\tkit\t.*enrolled .*Бригада 1/);
    const revoked = await runCli(['hub', 'revoke', bogus, '--data', hub], hub, 'hub pass');
    expect(revoked.code, revoked.stderr).toBe(0);
    expect((await runCli(['hub', 'list', '--data', hub], hub, 'hub pass')).stdout).toMatch(
      /kit-01\tkit\t.*revoked /,
    );
    expect((await runCli(['hub', 'revoke', 'B'.repeat(43), '--data', hub], hub, 'hub pass')).code).toBe(1);
  }, 240_000);
});
