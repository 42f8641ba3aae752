import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKitConfig } from '../runtime/config.ts';
import { PWA_DIST, startKit, type KitHandle } from '../runtime/kit.ts';
import { createLogger } from '../runtime/log.ts';
import { certificatePem, fromBytes, issueLeaf, privateKeyPem, toBytes } from '../runtime/http/tls/issue.ts';
import { openStore, type RecordStore } from '../store/index.ts';
import { TEST_KDF, tempDir } from '../store/testing.ts';
import { launchChromium } from './helpers/chromium.ts';

const SCREENSHOTS = fileURLToPath(new URL('../artifacts/screenshots/', import.meta.url));
/** A name of the kit's (added to its certificates) that the browser maps to 127.0.0.1: not loopback to Chromium. */
const KIT_NAME = 'fieldkit-test.local';
/** A name outside the intermediate's nameConstraints. */
const FOREIGN = 'foreign.example';

/** A plain-HTTP request with exactly the headers given (fetch will not send a custom Host). */
function plainHttp(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; location: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: text }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A TLS server presenting `leaf + intermediate` for a name, answering every request with a short page. */
async function tlsServer(key: string, cert: string): Promise<Server> {
  const server = createServer({ key, cert }, (_req, res) => res.end('<p id="ok">served</p>'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/**
 * The kit's certificates in real Chromium, whose profile trusts the kit CA through its NSS
 * database (as a tablet that installed it): the kit's HTTPS is a secure context where a service
 * worker registers, and a certificate the kit's intermediate issued for a foreign name is refused.
 */
describe('kit certificates in Chromium', () => {
  let kit: KitHandle;
  let store: RecordStore;
  let staticRoot: string;
  const servers: Server[] = [];
  let chromium: Awaited<ReturnType<typeof launchChromium>>;
  let teardown: () => Promise<void>;

  beforeAll(async () => {
    const { dir, cleanup } = tempDir();
    store = await openStore({ path: dir, passphrase: 'certificate test', kdf: TEST_KDF });
    // The built app plus a minimal service worker (the tablet app's own arrives with its issue).
    staticRoot = `${mkdtempSync(join(tmpdir(), 'fieldkit-static-'))}/`;
    cpSync(PWA_DIST, staticRoot, { recursive: true });
    writeFileSync(
      join(staticRoot, 'test-sw.js'),
      "self.addEventListener('install', () => self.skipWaiting());\n" +
        "self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));\n",
    );
    const config = parseKitConfig({
      dataDir: dir,
      http: { host: '127.0.0.1', port: 0, httpsPort: 0, extraDnsNames: [KIT_NAME] },
      sim: {},
      utcOffsetMinutes: 0,
      logLevel: 'silent',
    });
    kit = await startKit(config, store, createLogger('silent'), 'test', { staticRoot });
    // One browser for both tests: its profile trusts the kit CA, as a tablet that installed it.
    chromium = await launchChromium({
      trustCaPem: [kit.caPem],
      hostResolverRules: `MAP ${KIT_NAME} 127.0.0.1, MAP ${FOREIGN} 127.0.0.1`,
      viewport: { width: 1280, height: 800 },
    });
    teardown = async () => {
      await chromium.close();
      for (const s of servers) s.closeAllConnections();
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
      await kit.stop();
      await store.close();
      rmSync(staticRoot, { recursive: true, force: true });
      cleanup();
    };
  });
  afterAll(async () => teardown());

  it('serves the tablet app over HTTPS chained to the kit CA, registers a service worker there, and refuses a foreign name the intermediate signed', async () => {
    // Two certificates from the kit's own intermediate, served by a test server: one for a kit
    // name (the control: it must load) and one for a foreign name (it must be refused).
    const creds = await store.kitCredentials();
    const intermediateRec = creds.filter((c) => c.kind === 'intermediate').at(-1)!;
    const intermediate = await fromBytes(intermediateRec);
    const serve = async (dns: string) => {
      const leaf = await toBytes(await issueLeaf(intermediate, { dns: [dns], ips: [] }, new Date()));
      const server = await tlsServer(
        privateKeyPem(leaf.privateKeyPkcs8),
        certificatePem(leaf.certificateDer) + certificatePem(intermediateRec.certificateDer),
      );
      servers.push(server);
      return (server.address() as AddressInfo).port;
    };
    const controlPort = await serve(KIT_NAME);
    const foreignPort = await serve(FOREIGN);

    const page = await chromium.browser.newPage();
    try {
      const res = await page.goto(`https://${KIT_NAME}:${kit.httpsPort}/`);
      expect(res?.status()).toBe(200);
      const security = await res!.securityDetails();
      expect(security?.issuer).toMatch(/^Fieldkit intermediate /);
      expect(await page.evaluate(() => window.isSecureContext)).toBe(true);
      const sw = await page.evaluate(async () => {
        const reg = await navigator.serviceWorker.register('/test-sw.js');
        const ready = await navigator.serviceWorker.ready;
        return { scope: reg.scope, active: ready.active?.state ?? null };
      });
      expect(sw.scope).toBe(`https://${KIT_NAME}:${kit.httpsPort}/`);
      expect(['activating', 'activated']).toContain(sw.active);

      const control = await page.goto(`https://${KIT_NAME}:${controlPort}/`);
      expect(await control?.text()).toContain('served');
      const refused = await page.goto(`https://${FOREIGN}:${foreignPort}/`).then(
        () => 'loaded',
        (err: Error) => err.message,
      );
      expect(refused).toMatch(/net::ERR_CERT_INVALID/); // what Chromium 156 reports for a name-constraint violation
      expect(refused).not.toMatch(/AUTHORITY_INVALID/); // trusted chain, refused for the name
    } finally {
      await page.close();
    }
  });

  it('onboarding over plain HTTP: the page (screenshot), the CA file, loopback-only codes; everything else redirects to HTTPS', async () => {
    const http = kit.onboardingUrl.replace('localhost', '127.0.0.1');
    const ca = await fetch(`${http}fieldkit-ca.crt`);
    expect(ca.headers.get('content-type')).toBe('application/x-x509-ca-cert');
    expect(Buffer.from(await ca.arrayBuffer()).equals(Buffer.from(kit.tls.material.rootDer))).toBe(true);
    for (const path of ['api/me', 'api/live', 'visit/1?x=2', 'app.js']) {
      const r = await fetch(`${http}${path}`, { redirect: 'manual' });
      expect([r.status, r.headers.get('location')]).toEqual([
        308,
        `https://127.0.0.1:${kit.httpsPort}/${path}`,
      ]);
    }
    // A Host that is not the kit's is never echoed into a redirect.
    const spoofed = await plainHttp(kit.httpPort, 'GET', '/x', { host: 'evil.example' });
    expect(spoofed.location).toMatch(/^https:\/\//);
    expect(spoofed.location).not.toContain('evil.example');
    // Pairing codes: only the kit's own screen (loopback socket and Host) and no cross-site form.
    const form = (headers: Record<string, string> = {}) =>
      plainHttp(
        kit.httpPort,
        'POST',
        '/pairing-code',
        {
          'content-type': 'application/x-www-form-urlencoded',
          ...headers,
        },
        'role=doctor',
      );
    expect((await form({ host: `${KIT_NAME}:${kit.httpPort}` })).status).toBe(403);
    expect((await form({ origin: 'https://evil.example' })).status).toBe(403);
    const made = await form();
    expect(made.status).toBe(200);
    const code = /data-testid="pairing-code">(\d{4}) (\d{4})</.exec(made.body);
    expect(code).not.toBeNull();
    expect((await store.listTablets()).at(-1)).toMatchObject({ role: 'doctor', status: 'pending' });

    const page = await chromium.browser.newPage();
    try {
      await page.goto(http);
      expect(await page.getAttribute('html', 'lang')).toBe('ru');
      const shown = (await page.locator('[data-testid="fingerprint"] code').allTextContents()).join(' ');
      expect(shown.replace(/ /g, ':')).toBe(kit.tls.material.rootFingerprint);
      await page.locator('[data-testid="ca-qr"] svg').waitFor();
      await page.locator('[data-testid="pairing-form"]').waitFor();
      expect(await page.textContent('body')).toContain(
        'Настройки → Безопасность → Шифрование и учётные данные → Установить сертификат → Сертификат ЦС',
      );
      // Both steps fit the tablet's first screen, step 2's box clear of the bottom edge.
      const step2 = await page.locator('.grid .next').boundingBox();
      expect(step2).not.toBeNull();
      expect(step2!.y + step2!.height).toBeLessThanOrEqual(800 - 16);
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, 'onboarding.png') });
      await page.locator('button[value="feldsher"]').click();
      await page.locator('[data-testid="pairing-code"]').waitFor();
      await page.screenshot({ path: join(SCREENSHOTS, 'pairing-code.png') });
    } finally {
      await page.close();
    }
  });
});
