import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { toBase64Url } from '../../crypto/bytes.ts';
import type { TestHub } from '../../test/helpers/link-world.ts';
import { startTestHub, testDevice, testDirectory, testOrg } from '../../test/helpers/link-world.ts';
import { HubSocketCarrier } from '../link/carriers/hub-socket/hub-socket-carrier.ts';
import { LINK_PATH, pinnedTlsOptions } from '../link/carriers/hub-socket/hub-protocol.ts';
import { hubRequest } from '../link/carriers/hub-socket/pinned-https.ts';
import { HubAuth } from './auth.ts';
import { Coordination } from './coordination.ts';
import { Enrolments } from './enrolment.ts';
import { createHubApp } from './hub-http.ts';
import { loadHubTls } from './tls.ts';
import { tempStores } from '../../store/test-fixtures.ts';

const temp = tempStores();
let hub: TestHub | undefined;
afterEach(async () => {
  await hub?.stop();
  hub = undefined;
});

function upgradeStatus(h: TestHub, path: string, protocols: string[]): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`wss://127.0.0.1:${h.hub.port}${path}`, protocols, {
      ...(pinnedTlsOptions(h.tls.cert) as object),
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.terminate();
    });
    ws.on('error', () => resolve(-1));
  });
}

describe('the hub', () => {
  it('answers 401 on every route, and on the link upgrade, without a valid identity', async () => {
    hub = await startTestHub();
    const h = hub;
    const stranger = await testDevice();
    // The routes, enumerated from the app itself: a route added later is covered here too.
    const app = createHubApp({
      auth: new HubAuth(new Enrolments(h.store)),
      directory: () => undefined,
      status: () => Promise.resolve({}),
      coordination: new Coordination(h.store, () => undefined),
    });
    const routes = app.routes.filter((r) => r.method !== 'ALL' || r.path !== '*');
    expect(routes.length).toBeGreaterThanOrEqual(4);
    const base = `https://127.0.0.1:${h.hub.port}`;
    const ask = (method: string, path: string, body?: unknown, token?: string) =>
      hubRequest(new URL(path.replace('*', 'x'), base), h.tls.cert, {
        method: method === 'GET' ? 'GET' : 'POST',
        timeoutMs: 5000,
        ...(body === undefined ? {} : { body }),
        ...(token ? { token } : {}),
      });
    const seen: string[] = [];
    for (const r of routes) {
      for (const [body, token] of [
        [undefined, undefined],
        [{ key: toBase64Url(stranger.signer.publicKey) }, 'A'.repeat(43)],
        [{ key: 'not base64 !', challenge: 'x', signature: 'y' }, undefined],
      ] as const) {
        const res = await ask(r.method, r.path, body, token);
        expect(res.status, `${r.method} ${r.path}`).toBe(401);
      }
      seen.push(`${r.method} ${r.path}`);
    }
    expect(seen).toEqual(
      expect.arrayContaining([
        'POST /api/auth/challenge',
        'POST /api/auth/token',
        'GET /api/directory',
        'GET /api/status',
        'POST /api/enrol',
        'GET /api/cases',
        'POST /api/cases/:id/claim',
        'POST /api/cases/:id/assign',
      ]),
    );
    // Only the console's static files answer without identity; anything else under /api/, any
    // other method, and any path that is not a console file stays 401.
    for (const path of [
      '/api/nothing',
      '/api',
      '/api/',
      '/api/index.html',
      '/package.json',
      '/../../package.json',
    ])
      expect((await ask('GET', path)).status, path).toBe(401);
    for (const path of ['/', '/index.html']) expect((await ask('POST', path)).status, path).toBe(401);
    expect(await upgradeStatus(h, LINK_PATH, ['fieldkit.v1'])).toBe(401);
    expect(await upgradeStatus(h, LINK_PATH, ['fieldkit.v1', 'fieldkit.token.' + 'B'.repeat(43)])).toBe(401);
    expect(await upgradeStatus(h, '/elsewhere', ['fieldkit.v1'])).toBe(401);
  });

  it('authenticates an enrolled device by its key, serves the directory, and cuts it off when revoked', async () => {
    const org = await testOrg();
    const kit = await testDevice();
    const directory = await testDirectory(org, [
      {
        id: 'kit-01',
        role: 'kit',
        name: 'Бригада 1',
        devices: [{ key: kit.signer.publicKey, box: kit.opener.sealingKey }],
      },
    ]);
    hub = await startTestHub({ directory: () => directory });
    await hub.hub.enrolments.enroll({ device: kit.hex, identity: 'kit-01', role: 'kit' });
    const carrier = new HubSocketCarrier({
      url: `https://127.0.0.1:${hub.hub.port}`,
      certPem: hub.tls.cert,
      signer: kit.signer,
    });
    expect(Buffer.from((await carrier.fetchDirectory())!).equals(Buffer.from(directory))).toBe(true);
    const token = await carrier.authenticate();
    const status = await hubRequest(new URL(`https://127.0.0.1:${hub.hub.port}/api/status`), hub.tls.cert, {
      method: 'GET',
      token,
      timeoutMs: 5000,
    });
    expect(status.status).toBe(200);
    const conn = await carrier.connect();
    const closed = new Promise((r) => conn.onClose(r));
    expect(hub.hub.connected()).toEqual([kit.hex]);
    await hub.hub.enrolments.revoke(kit.hex);
    await closed;
    await expect(carrier.connect()).rejects.toMatchObject({ code: 'unauthorized' });
    const again = await hubRequest(new URL(`https://127.0.0.1:${hub.hub.port}/api/status`), hub.tls.cert, {
      method: 'GET',
      token,
      timeoutMs: 5000,
    });
    expect(again.status).toBe(401);
  });

  it('is refused by a kit that pinned another certificate (a substituted hub)', async () => {
    hub = await startTestHub();
    const kit = await testDevice();
    await hub.hub.enrolments.enroll({ device: kit.hex, identity: 'kit-01', role: 'kit' });
    // Another hub's own CA (made the same way, in its own store): its root does not lead to this hub.
    const otherTls = await loadHubTls(await temp.open());
    const carrier = new HubSocketCarrier({
      url: `https://127.0.0.1:${hub.hub.port}`,
      certPem: otherTls.cert,
      signer: kit.signer,
    });
    await expect(carrier.connect()).rejects.toMatchObject({ code: 'tls' });
  });
});
