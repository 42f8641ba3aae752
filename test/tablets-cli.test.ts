import { afterEach, describe, expect, it } from 'vitest';
import { tempStores } from '../store/test-fixtures.ts';
import { pairWithKitProcess, runCli, spawnKit } from './helpers/kit-process.ts';

const PASSPHRASE = 'tablets cli passphrase';
const temp = tempStores();

function cli(args: string[], dataDir: string): ReturnType<typeof runCli> {
  return runCli(args, dataDir, PASSPHRASE);
}

/** `fieldkit tablets` as processes beside a running kit: pairing codes and revocation cross processes. */
describe('fieldkit tablets', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const c of cleanups.reverse()) c();
    cleanups.length = 0;
  });

  // Six processes, each deriving the store key with the real Argon2id: ~40 s on an idle machine,
  // past the default 60 s at load 18 (it waits on events, never on fixed sleeps).
  it(
    'pair-code, list and revoke from other processes take effect on the running kit at once',
    { timeout: 150_000 },
    async () => {
      const dir = temp.dir();
      // Debug logging: even a talkative kit never writes a token.
      const kit = spawnKit(dir, PASSPHRASE, ['--log-level', 'debug']);
      cleanups.push(() => kit.child.kill('SIGKILL'));
      const { client, token } = await pairWithKitProcess(kit, dir, PASSPHRASE);
      expect((await client.request('/api/me', { token })).status).toBe(200);

      const made = await cli(['tablets', 'pair-code', '--role', 'doctor', '--https-port', '8443'], dir);
      expect(made.code, made.stderr).toBe(0);
      const code = /\(once\): (\d{4}) (\d{4})/.exec(made.stdout);
      expect(code).not.toBeNull();
      expect(made.stdout).toMatch(new RegExp(`https://\\S+:8443/pair#code=${code![1]}${code![2]}`));
      const paired = await client.postJson('/api/pair', {
        code: `${code![1]}-${code![2]}`,
        name: 'Планшет врача',
      });
      expect(paired.status).toBe(201);
      expect(paired.json()).toMatchObject({ tablet: { role: 'doctor', name: 'Планшет врача' } });
      const doctorToken = paired.json<{ token: string }>().token;
      expect((await client.request('/api/me', { token: doctorToken })).status).toBe(200);

      const list = await cli(['tablets', 'list'], dir);
      expect(list.code, list.stderr).toBe(0);
      const rows = list.stdout
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(/\s{2,}/));
      // The test's own tablet, the browser code it left pending, and the doctor paired just now.
      expect(rows.map((r) => [r[1], r[2]])).toEqual([
        ['feldsher', 'active'],
        ['feldsher', 'pending'],
        ['doctor', 'active'],
      ]);
      expect(list.stdout).not.toMatch(/Hash|fkt_/);

      const revoked = await cli(['tablets', 'revoke', rows[0]![0]!], dir);
      expect(revoked.code, revoked.stderr).toBe(0);
      const refused = await client.request('/api/me', { token });
      expect(refused.status).toBe(401);
      expect(refused.json()).toMatchObject({ error: 'token_revoked' });
      expect((await cli(['tablets', 'pair-code', '--role', 'surgeon'], dir)).code).toBe(2);
      kit.child.kill('SIGTERM');
      expect((await kit.exit).code).toBe(0);
      const logs = kit.logLines.join('\n');
      expect(logs).toMatch(/"level":30/);
      expect(logs).not.toContain(token);
      expect(logs).not.toContain(doctorToken);
      expect(logs).not.toContain('fkt_');
    },
  );
});
