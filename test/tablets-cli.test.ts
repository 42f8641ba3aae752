import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../store/testing.ts';
import { pairWithKitProcess, spawnKit } from './helpers/kit-process.ts';

const BIN = fileURLToPath(new URL('../bin/fieldkit.js', import.meta.url));
const PASSPHRASE = 'tablets cli passphrase';

function cli(
  args: string[],
  dataDir: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, FIELDKIT_DATA: dataDir, FIELDKIT_PASSPHRASE: PASSPHRASE },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

/** `fieldkit tablets` as processes beside a running kit: pairing codes and revocation cross processes. */
describe('fieldkit tablets', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const c of cleanups.reverse()) c();
    cleanups.length = 0;
  });

  it('pair-code, list and revoke from other processes take effect on the running kit at once', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const kit = spawnKit(dir, PASSPHRASE, ['--log-level', 'warn']);
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
  });
});
