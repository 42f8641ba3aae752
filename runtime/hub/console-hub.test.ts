import { readdirSync } from 'node:fs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { toBase64Url } from '../../crypto/bytes.ts';
import type { TestHub } from '../../test/helpers/link-world.ts';
import { startTestHub, testDevice, testOrg } from '../../test/helpers/link-world.ts';
import { HubSocketCarrier } from '../link/carriers/hub-socket/hub-socket-carrier.ts';
import { hubRequest } from '../link/carriers/hub-socket/pinned-https.ts';
import { CONSOLE_DIST } from './console-static.ts';

let hub: TestHub | undefined;
afterEach(async () => {
  await hub?.stop();
  hub = undefined;
});

const get = (h: TestHub, path: string) =>
  hubRequest(new URL(path, `https://127.0.0.1:${h.hub.port}`), h.tls.cert, {
    method: 'GET',
    timeoutMs: 5000,
  });
const post = (h: TestHub, path: string, body: unknown) =>
  hubRequest(new URL(path, `https://127.0.0.1:${h.hub.port}`), h.tls.cert, {
    method: 'POST',
    body,
    timeoutMs: 5000,
  });

describe('the hub hosts the console', () => {
  it('serves the built console without identity, and nothing outside it', async () => {
    hub = await startTestHub();
    const index = await get(hub, '/');
    expect(index.status).toBe(200);
    const html = index.body.toString('utf8');
    expect(html).toContain('<html lang="ru">');
    expect(html).toContain('Консоль специалиста');
    const script = /src="(\/main-[A-Z0-9]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const js = await get(hub, script!);
    expect(js.status).toBe(200);
    expect(js.body.byteLength).toBeGreaterThan(1000);
    // A screen path is the app; a file that is not in the build, or outside it, is not served.
    expect((await get(hub, '/case/123')).body.toString('utf8')).toBe(html);
    expect((await get(hub, '/missing-ABCDEFGH.js')).status).toBe(401);
    expect((await get(hub, '/%2e%2e/%2e%2e/package.json')).status).toBe(401);
    expect(readdirSync(CONSOLE_DIST)).toContain('index.html');
  });

  it('serves no console when told so, and only known file types from a given folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldkit-console-dist-'));
    try {
      writeFileSync(join(dir, 'index.html'), '<!doctype html><title>x</title>');
      writeFileSync(join(dir, 'secret.key'), 'not for the web');
      hub = await startTestHub({ consoleDir: dir });
      expect((await get(hub, '/')).status).toBe(200);
      expect((await get(hub, '/secret.key')).status).toBe(401);
      await hub.stop();
      hub = await startTestHub({ consoleDir: false });
      expect((await get(hub, '/')).status).toBe(401);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('enrols a device once with a one-time code; a wrong, reused or expired code is 401', async () => {
    hub = await startTestHub();
    const h = hub;
    const first = await testDevice();
    const second = await testDevice();
    const box = toBase64Url(new Uint8Array(32).fill(7));
    const { code } = await h.hub.codes.issue('spec-ivanova', 'specialist');
    expect(code).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$/);
    const enrol = (c: string, key: Uint8Array, extra: Record<string, unknown> = {}) =>
      post(h, '/api/enrol', { code: c, key: toBase64Url(key), box, label: 'Ноутбук', ...extra });
    expect((await enrol('2222-2222-2222', first.signer.publicKey)).status).toBe(401);
    // A malformed request is refused before the code is looked at: the code still works after.
    expect((await enrol(code, new Uint8Array(5))).status).toBe(401);
    const ok = await enrol(code.toLowerCase().replace(/-/g, ' '), first.signer.publicKey);
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body.toString('utf8'))).toEqual({ identity: 'spec-ivanova', org: null });
    expect((await enrol(code, second.signer.publicKey)).status).toBe(401);
    const enrolled = await h.hub.enrolments.active(first.hex);
    expect(enrolled).toMatchObject({ identity: 'spec-ivanova', role: 'specialist', label: 'Ноутбук' });
    expect(enrolled?.box).toBe('07'.repeat(32));
    expect(await h.hub.enrolments.active(second.hex)).toBeUndefined();
    // The enrolled key now authenticates like any device; a second device of the same
    // specialist enrols with its own code.
    const carrier = new HubSocketCarrier({ url: h.hub.url, certPem: h.tls.cert, signer: first.signer });
    expect(await carrier.authenticate()).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    const again = await h.hub.codes.issue('spec-ivanova', 'specialist');
    expect((await enrol(again.code, second.signer.publicKey)).status).toBe(200);
    expect((await h.hub.enrolments.devicesOf('spec-ivanova')).sort()).toEqual([first.hex, second.hex].sort());
    const expired = await h.hub.codes.issue('spec-petrov', 'specialist', -1);
    expect((await enrol(expired.code, (await testDevice()).signer.publicKey)).status).toBe(401);
    // A code carrying the organisation check (for the console to verify): the hub uses its secret.
    const org = await testOrg();
    const checked = await h.hub.codes.issue('spec-petrov', 'specialist', undefined, org.publicKey);
    expect(checked.code).toMatch(/^(?:[2-9A-Z]{4}-){6}[2-9A-Z]{4}$/);
    expect(checked.code.replace(/-/g, '').slice(0, 12)).toBe(checked.secret);
    expect((await enrol(checked.code, (await testDevice()).signer.publicKey)).status).toBe(200);
  });
});
