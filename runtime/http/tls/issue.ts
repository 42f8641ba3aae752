import { webcrypto } from 'node:crypto';
import { x509 } from './x509.ts';
import { hostRange, type KitNames } from './kit-names.ts';
import { nameConstraintsExtension } from './name-constraints.ts';

const DAY = 86_400_000;
/** Longest leaf life browsers accept from public CAs (398 days); the kit stays under it. */
export const LEAF_DAYS = 397;
/** The intermediate is re-issued freely (tablets trust only the root), so it lives three years. */
export const INTERMEDIATE_DAYS = 3 * 365;
/** The root is what the tablets install by hand: twenty years, so they install it once. */
export const ROOT_DAYS = 20 * 365;
/** Certificates start a day early, for tablets whose clock runs behind the kit's. */
const BACKDATE_MS = DAY;

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** A certificate with its key pair, as the issuing code works with them. */
export interface Issued {
  readonly cert: x509.X509Certificate;
  readonly keys: CryptoKeyPair;
}

/** What the store keeps of an issued certificate: DER, PKCS#8 key and validity. */
export interface IssuedBytes {
  readonly certificateDer: Uint8Array;
  readonly privateKeyPkcs8: Uint8Array;
  readonly notBefore: string;
  readonly notAfter: string;
}

async function newKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
}

function serial(): string {
  // 16 random bytes with the top bit clear: a positive INTEGER, unique per certificate.
  const b = webcrypto.getRandomValues(new Uint8Array(16));
  b[0] = b[0]! & 0x7f;
  return Buffer.from(b).toString('hex');
}

function validity(now: Date, days: number, cap?: Date): { notBefore: Date; notAfter: Date } {
  const notAfter = new Date(Math.min(now.getTime() + days * DAY, cap?.getTime() ?? Infinity));
  return { notBefore: new Date(now.getTime() - BACKDATE_MS), notAfter };
}

const CA_USAGE = x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign;

/** A self-signed root, unconstrained: the one certificate a tablet installs. */
export async function issueRoot(hostname: string, now: Date): Promise<Issued> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=Fieldkit CA ${hostname} ${now.toISOString().slice(0, 10)}, O=Fieldkit`,
    ...validity(now, ROOT_DAYS),
    signingAlgorithm: SIGN,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(CA_USAGE, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, keys };
}

/**
 * An intermediate under the root whose critical nameConstraints permit only the kit's own names
 * and exact addresses, path length 0 (it signs leaves only) and TLS server use only.
 */
export async function issueIntermediate(
  root: Issued,
  names: KitNames,
  hostname: string,
  now: Date,
): Promise<Issued> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=Fieldkit intermediate ${hostname}, O=Fieldkit`,
    issuer: root.cert.subject,
    ...validity(now, INTERMEDIATE_DAYS, root.cert.notAfter),
    signingAlgorithm: SIGN,
    publicKey: keys.publicKey,
    signingKey: root.keys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(CA_USAGE, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      nameConstraintsExtension({ dns: names.dns, ipRanges: names.ips.map(hostRange) }),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(root.keys.publicKey),
    ],
  });
  return { cert, keys };
}

/**
 * A TLS server leaf for the given names and addresses (all in the SAN; Chromium ignores the
 * CN), valid at most {@link LEAF_DAYS} and never past its issuer.
 */
export async function issueLeaf(issuer: Issued, names: KitNames, now: Date): Promise<Issued> {
  const keys = await newKeys();
  const first = names.dns[0] ?? names.ips[0] ?? 'fieldkit';
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${first}, O=Fieldkit`,
    issuer: issuer.cert.subject,
    ...validity(now, LEAF_DAYS, issuer.cert.notAfter),
    signingAlgorithm: SIGN,
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...names.dns.map((value) => ({ type: 'dns' as const, value })),
        ...names.ips.map((value) => ({ type: 'ip' as const, value })),
      ]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey),
    ],
  });
  return { cert, keys };
}

/** The bytes the store keeps of an issued certificate. */
export async function toBytes(issued: Issued): Promise<IssuedBytes> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', issued.keys.privateKey);
  return {
    certificateDer: new Uint8Array(issued.cert.rawData),
    privateKeyPkcs8: new Uint8Array(pkcs8),
    notBefore: issued.cert.notBefore.toISOString(),
    notAfter: issued.cert.notAfter.toISOString(),
  };
}

/** Rebuilds an issued certificate (with a signing key) from what the store kept. */
export async function fromBytes(stored: {
  readonly certificateDer: Uint8Array;
  readonly privateKeyPkcs8: Uint8Array;
}): Promise<Issued> {
  const cert = new x509.X509Certificate(copy(stored.certificateDer));
  const privateKey = await webcrypto.subtle.importKey('pkcs8', copy(stored.privateKeyPkcs8), EC, true, [
    'sign',
  ]);
  const publicKey = await cert.publicKey.export(EC, ['verify'], webcrypto as Crypto);
  return { cert, keys: { privateKey, publicKey } };
}

/** A fresh ArrayBuffer-backed copy (the store hands out views of Node buffers). */
function copy(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

export { certificatePem, privateKeyPem } from './pem.ts';
