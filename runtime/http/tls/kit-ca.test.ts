import { X509Certificate } from 'node:crypto';
import { x509 } from './x509.ts';
import { describe, expect, it } from 'vitest';
import { filesContaining } from '../../../test/helpers/data-dir.ts';
import { tempStores } from '../../../store/test-fixtures.ts';
import { ensureKitTls } from './kit-ca.ts';
import { LEAF_DAYS } from './issue.ts';
import { kitNames } from './kit-names.ts';
import { NAME_CONSTRAINTS_OID, readNameConstraints } from './name-constraints.ts';

const temp = tempStores();
const fresh = () => temp.open();
const DAY = 86_400_000;
const T0 = new Date('2026-03-01T10:00:00Z');
const LAN = {
  lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
  wlan0: [
    { address: '192.168.43.17', family: 'IPv4', internal: false },
    { address: 'fe80::1c2a:3bff:fe4d:5e6f', family: 'IPv6', internal: false },
  ],
} as unknown as Parameters<typeof kitNames>[1];
const names = kitNames('brigade-kit', LAN);

function chain(pem: string): X509Certificate[] {
  return pem
    .split(/(?=-----BEGIN CERTIFICATE-----)/)
    .filter((p) => p.includes('BEGIN'))
    .map((p) => new X509Certificate(p));
}

describe('the kit-local CA', () => {
  it('creates root, constrained intermediate and a leaf at first start; the leaf chains to the root', async () => {
    const store = await fresh();
    const { material, issued } = await ensureKitTls(store, { hostname: 'brigade-kit', names, now: T0 });
    expect(issued).toEqual(['root', 'intermediate', 'leaf']);
    const [leaf, mid] = chain(material.cert);
    const root = new X509Certificate(material.rootPem);
    expect(leaf!.verify(mid!.publicKey)).toBe(true);
    expect(mid!.verify(root.publicKey)).toBe(true);
    expect(root.verify(root.publicKey)).toBe(true);
    expect(leaf!.checkIssued(mid!) && mid!.checkIssued(root)).toBe(true);
    expect(mid!.ca && root.ca && !leaf!.ca).toBe(true);
    // SAN: names and every usable address; IPv6 link-local left out.
    expect(leaf!.checkIP('192.168.43.17')).toBe('192.168.43.17');
    expect(leaf!.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(leaf!.checkHost('brigade-kit.local')).toBe('brigade-kit.local');
    expect(leaf!.subjectAltName).not.toContain('fe80');
    // At most 397 days.
    const life = Date.parse(leaf!.validTo) - Date.parse(leaf!.validFrom);
    expect(life).toBeLessThanOrEqual(398 * DAY);
    expect(Date.parse(leaf!.validTo) - T0.getTime()).toBeLessThanOrEqual(LEAF_DAYS * DAY);
    // The intermediate's critical nameConstraints permit exactly the kit's names and addresses.
    const ext = new x509.X509Certificate(mid!.raw).getExtension(NAME_CONSTRAINTS_OID);
    expect(ext?.critical).toBe(true);
    expect(readNameConstraints(new Uint8Array(ext!.value))).toEqual({
      dns: ['localhost', 'brigade-kit', 'brigade-kit.local'],
      ipRanges: ['127.0.0.1/32', '::1/128', '192.168.43.17/32'],
    });
    expect(material.rootFingerprint).toBe(root.fingerprint256);
  });

  it('reuses the chain on the next start, renews the leaf before it expires, re-issues for a new address', async () => {
    const store = await fresh();
    const first = await ensureKitTls(store, { hostname: 'brigade-kit', names, now: T0 });
    const again = await ensureKitTls(store, {
      hostname: 'brigade-kit',
      names,
      now: new Date(T0.getTime() + 100 * DAY),
    });
    expect(again.issued).toEqual([]);
    expect(again.material.ids).toEqual(first.material.ids);

    const late = await ensureKitTls(store, {
      hostname: 'brigade-kit',
      names,
      now: new Date(T0.getTime() + 370 * DAY),
    });
    expect(late.issued).toEqual(['leaf']);
    expect(late.material.rootFingerprint).toBe(first.material.rootFingerprint);
    expect(late.material.leafNotAfter.getTime()).toBeGreaterThan(first.material.leafNotAfter.getTime());

    const moved = kitNames('brigade-kit', {
      ...LAN,
      wlan0: [{ address: '10.0.0.5', family: 'IPv4' }],
    } as never);
    const onNew = await ensureKitTls(store, {
      hostname: 'brigade-kit',
      names: moved,
      now: new Date(T0.getTime() + 371 * DAY),
    });
    expect(onNew.issued).toEqual(['intermediate', 'leaf']);
    expect(onNew.material.rootFingerprint).toBe(first.material.rootFingerprint);
    const [leaf] = chain(onNew.material.cert);
    expect(leaf!.checkIP('10.0.0.5')).toBe('10.0.0.5');
  });

  it('keeps every private key off the disk in the clear', async () => {
    const store = await fresh();
    await ensureKitTls(store, { hostname: 'brigade-kit', names, now: T0 });
    const keys = (await store.kitCredentials()).map((r) => Buffer.from(r.privateKeyPkcs8));
    expect(keys).toHaveLength(3);
    const dir = store.path;
    await store.close();
    for (const k of keys) {
      // The PKCS#8 bytes, and the 32-byte P-256 private scalar inside them (at byte 36 of
      // WebCrypto's 138-byte export), appear in no file.
      expect(k.length).toBe(138);
      expect(filesContaining(dir, k)).toEqual([]);
      expect(filesContaining(dir, k.subarray(36, 68))).toEqual([]);
    }
  });
});
