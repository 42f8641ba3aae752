import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesContaining } from '../../test/helpers/data-dir.ts';
import { tempStores } from '../../store/test-fixtures.ts';
import { HUB_CERT_FILE, LEGACY_CERT_FILE, LEGACY_KEY_FILE, loadHubTls } from './tls.ts';

const temp = tempStores();
const LAN = {
  lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
  eth0: [{ address: '10.20.0.4', family: 'IPv4', internal: false }],
} as unknown as NonNullable<Parameters<typeof loadHubTls>[1]>['interfaces'];

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
});
