import { describe, expect, it } from 'vitest';
import { toBase64Url } from '../crypto/bytes.ts';
import { startHub } from '../runtime/hub/hub.ts';
import { loadHubTls } from '../runtime/hub/tls.ts';
import { hubRequest } from '../runtime/link/carriers/hub-socket/pinned-https.ts';
import { createLogger } from '../runtime/log.ts';
import { openStore } from '../store/index.ts';
import { tempStores } from '../store/test-fixtures.ts';
import { runCli } from './helpers/kit-process.ts';
import { testDevice, testOrg } from './helpers/link-world.ts';
import { orgCheck, readEnrolmentCode } from '../crypto/enrol-check.ts';

const temp = tempStores();

// The administrator's side of a console's enrolment, as processes: `fieldkit hub enroll-code`
// issues the code into the hub's store, the running hub takes it once from the browser's
// request, and `fieldkit hub list --json` gives the device entries for the directory source.
describe('fieldkit hub enroll-code and list --json', () => {
  it('issues a one-time code the running hub accepts once, and lists the enrolled console for org sign', async () => {
    const data = temp.dir();
    const org = await testOrg();
    const orgKey = toBase64Url(org.publicKey);
    const issued = await runCli(
      // `--org-key=…`: a base64url key may begin with '-' (1 in 64), which parseArgs would
      // refuse as a separate argument ("ambiguous"); the CLI's message says to use this form.
      ['hub', 'enroll-code', 'spec-ivanova', `--org-key=${orgKey}`, '--data', data],
      data,
      'hub pass',
    );
    expect(issued.code, issued.stderr).toBe(0);
    const code = /: ((?:[2-9A-Z]{4}-){6}[2-9A-Z]{4})\n/.exec(issued.stdout)?.[1];
    expect(code, issued.stdout).toBeDefined();
    // The code ends with the organisation key's check (what the console verifies the hub against).
    const typed = readEnrolmentCode(code!);
    expect(typed).toMatchObject({ kind: 'full', check: await orgCheck(org.publicKey) });
    const usage = await runCli(['hub', 'enroll-code', '--data', data], data, 'hub pass');
    expect(usage.code).toBe(2);
    const noOrg = await runCli(['hub', 'enroll-code', 'spec-ivanova', '--data', data], data, 'hub pass');
    expect(noOrg.code).toBe(2);
    expect(noOrg.stderr).toContain('--org-key');

    const store = await openStore({ path: data, passphrase: 'hub pass', actor: 'test-hub' });
    const tls = await loadHubTls(store);
    const hub = await startHub({ store, tls, port: 0, log: createLogger('silent'), consoleDir: false });
    const device = await testDevice();
    const box = new Uint8Array(32).fill(9);
    try {
      const enrol = () =>
        hubRequest(new URL('/api/enrol', hub.url), tls.cert, {
          method: 'POST',
          body: { code, key: toBase64Url(device.signer.publicKey), box: toBase64Url(box), label: 'Ноутбук' },
          timeoutMs: 5000,
        });
      expect((await enrol()).status).toBe(200);
      expect((await enrol()).status).toBe(401);
    } finally {
      await hub.stop();
      await store.close();
    }

    const listed = await runCli(['hub', 'list', '--json', '--data', data], data, 'hub pass');
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual({
      'spec-ivanova': [
        { key: toBase64Url(device.signer.publicKey), box: toBase64Url(box), label: 'Ноутбук' },
      ],
    });
  });
});
