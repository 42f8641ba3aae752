import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { filesContaining } from '../../test/helpers/data-dir.ts';
import { tempStores } from '../../store/test-fixtures.ts';
import { createLogger } from '../log.ts';
import { startHub } from './hub.ts';
import { HUB_CERT_FILE, LEGACY_CERT_FILE, LEGACY_KEY_FILE, loadHubTls } from './tls.ts';

const temp = tempStores();
const LAN = {
  lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
  eth0: [{ address: '10.20.0.4', family: 'IPv4', internal: false }],
} as unknown as NonNullable<Parameters<typeof loadHubTls>[1]>['interfaces'];

// The leaf a new TLS connection to the hub is served. Not verified by the handshake: a leaf
// renewed under a clock moved a year on is not yet valid by the real one; its chain is checked
// by the caller.
function servedLeaf(port: number): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const leaf = socket.getPeerX509Certificate();
      socket.end();
      if (leaf) resolve(leaf);
      else reject(new Error('no certificate served'));
    });
    socket.on('error', reject);
  });
}

function certs(pem: string): X509Certificate[] {
  return pem
    .split(/(?=-----BEGIN CERTIFICATE-----)/)
    .filter((p) => p.includes('BEGIN'))
    .map((p) => new X509Certificate(p));
}

describe("the hub's own CA", () => {
  it('issues a root CA and a leaf for its names that chains to it, and writes only the root to the data directory', async () => {
    const store = await temp.open();
    const dir = store.path;
    const tls = await loadHubTls(store, {
      dir,
      hostname: 'hub-regional',
      interfaces: LAN,
      extraNames: ['hub.example.org', '203.0.113.9'],
    });
    const root = new X509Certificate(tls.cert);
    expect(root.ca).toBe(true);
    expect(root.verify(root.publicKey)).toBe(true);
    expect(root.subject).toContain('hub hub-regional');
    expect(tls.fingerprint).toBe(root.fingerprint256);
    const [leaf, mid, ...rest] = certs(tls.chain);
    expect(rest).toEqual([]);
    expect(leaf!.ca).toBe(false);
    expect(leaf!.verify(mid!.publicKey)).toBe(true);
    expect(mid!.verify(root.publicKey)).toBe(true);
    for (const name of ['localhost', 'hub-regional', 'hub-regional.local', 'hub.example.org'])
      expect(leaf!.checkHost(name)).toBe(name);
    for (const ip of ['127.0.0.1', '10.20.0.4', '203.0.113.9']) expect(leaf!.checkIP(ip)).toBe(ip);
    expect(leaf!.checkHost('bank.example.com')).toBeUndefined();
    // The leaf's key is the one served.
    expect(leaf!.checkPrivateKey(createPrivateKey(tls.key))).toBe(true);
    expect(readFileSync(join(dir, HUB_CERT_FILE), 'utf8')).toBe(tls.cert);
  });

  it('keeps the same root across restarts and every private key off the disk in the clear', async () => {
    const store = await temp.open();
    const dir = store.path;
    const first = await loadHubTls(store, { dir, hostname: 'hub-regional', interfaces: LAN });
    const again = await loadHubTls(store, { dir, hostname: 'hub-regional', interfaces: LAN });
    expect(again.fingerprint).toBe(first.fingerprint);
    expect(again.chain).toBe(first.chain);
    const keys = (await store.kitCredentials()).map((r) => Buffer.from(r.privateKeyPkcs8));
    expect(keys).toHaveLength(3);
    await store.close();
    for (const k of keys) {
      // The PKCS#8 bytes and the P-256 private scalar inside them (byte 36 of WebCrypto's export).
      expect(filesContaining(dir, k)).toEqual([]);
      expect(filesContaining(dir, k.subarray(36, 68))).toEqual([]);
    }
  });

  it("uses the operator's certificate when given, and an older hub's self-signed files when present", async () => {
    const maker = await temp.open();
    const made = await loadHubTls(maker, { hostname: 'elsewhere', interfaces: LAN });
    const [leaf] = certs(made.chain);
    const store = await temp.open();
    const dir = store.path;
    const leafFile = join(dir, 'own.crt');
    const keyFile = join(dir, 'own.key');
    writeFileSync(leafFile, made.chain);
    writeFileSync(keyFile, made.key);
    const own = await loadHubTls(store, { certFile: leafFile, keyFile, dir });
    expect(own.chain).toBe(made.chain);
    expect(own.fingerprint).toBe(leaf!.fingerprint256);
    await expect(loadHubTls(store, { certFile: leafFile })).rejects.toThrow(/both/);

    writeFileSync(join(dir, LEGACY_CERT_FILE), made.chain);
    writeFileSync(join(dir, LEGACY_KEY_FILE), made.key);
    const legacy = await loadHubTls(store, { dir });
    expect(legacy.legacy).toBe(true);
    expect(legacy.key).toBe(made.key);
    expect(await store.kitCredentials()).toEqual([]);
  });
  it('renews its leaf while running, before it expires, and serves the new one to new connections', async () => {
    const store = await temp.open();
    const DAY = 86_400_000;
    let clock = new Date('2026-12-03T15:00:00Z');
    const tls = await loadHubTls(store, {
      dir: store.path,
      hostname: 'hub-regional',
      interfaces: LAN,
      now: () => clock,
      checkEveryMs: 100,
    });
    const hub = await startHub({
      store,
      tls,
      port: 0,
      log: createLogger('silent'),
      consoleDir: false,
    });
    try {
      const [, mid] = certs(tls.chain);
      const root = new X509Certificate(tls.cert);
      const first = await servedLeaf(hub.port);
      expect(first.verify(mid!.publicKey)).toBe(true);
      const firstNotAfter = Date.parse(first.validTo);
      expect(firstNotAfter - clock.getTime()).toBeLessThanOrEqual(397 * DAY);

      // Months later, with the leaf three weeks from expiry: the timer renews it with no call.
      clock = new Date(firstNotAfter - 21 * DAY);
      let renewed = first;
      for (let i = 0; i < 200 && renewed.fingerprint256 === first.fingerprint256; i++) {
        await new Promise((r) => setTimeout(r, 100));
        renewed = await servedLeaf(hub.port);
      }
      expect(renewed.fingerprint256).not.toBe(first.fingerprint256);
      expect(Date.parse(renewed.validTo)).toBeGreaterThan(clock.getTime() + 300 * DAY);
      expect(renewed.checkHost('hub-regional')).toBe('hub-regional');
      expect(renewed.checkIP('10.20.0.4')).toBe('10.20.0.4');
      // Same intermediate and root: kits that pinned the hub's CA notice nothing.
      expect(renewed.verify(mid!.publicKey)).toBe(true);
      expect(mid!.verify(root.publicKey)).toBe(true);
      expect(tls.renewal?.material.rootFingerprint).toBe(tls.fingerprint);
      expect(readFileSync(join(store.path, HUB_CERT_FILE), 'utf8')).toBe(tls.cert);
      // Once renewed, later checks issue nothing until the new leaf nears its own expiry.
      expect(await tls.renewal?.check()).toEqual([]);
    } finally {
      await hub.stop();
      await tls.renewal?.stop();
      await store.close();
    }
  });
});
