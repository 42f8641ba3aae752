import { webcrypto } from 'node:crypto';
import { certFingerprint } from '../link/carriers/hub-socket/hub-protocol.ts';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileDurably } from './files.ts';

/** The hub's TLS identity: PEM key and certificate, and the certificate's SHA-256 fingerprint. */
export interface HubTls {
  readonly key: string;
  readonly cert: string;
  /** SHA-256 of the certificate's DER, upper-case hex pairs joined by ':' (as Node and openssl show it). */
  readonly fingerprint: string;
}

/** File names of a generated certificate in the hub's data directory. */
export const HUB_CERT_FILE = 'hub-tls.crt';
export const HUB_KEY_FILE = 'hub-tls.key';

/**
 * The hub's certificate: the operator's own (`certFile`/`keyFile`, e.g. from a public CA), or one
 * generated once and kept in the data directory: self-signed ECDSA P-256 for the given host names,
 * ten years. Kits pin it (the certificate file, checked by fingerprint), so no public CA is needed
 * on a closed network.
 */
export async function loadHubTls(
  dir: string,
  options: { certFile?: string; keyFile?: string; hosts?: readonly string[] } = {},
): Promise<HubTls> {
  if (options.certFile || options.keyFile) {
    if (!options.certFile || !options.keyFile) throw new Error('give both --tls-cert and --tls-key');
    const cert = readFileSync(options.certFile, 'utf8');
    return { key: readFileSync(options.keyFile, 'utf8'), cert, fingerprint: certFingerprint(cert) };
  }
  const certPath = join(dir, HUB_CERT_FILE);
  const keyPath = join(dir, HUB_KEY_FILE);
  if (existsSync(certPath) && existsSync(keyPath)) {
    const cert = readFileSync(certPath, 'utf8');
    return { key: readFileSync(keyPath, 'utf8'), cert, fingerprint: certFingerprint(cert) };
  }
  const made = await selfSigned(options.hosts ?? ['localhost', '127.0.0.1', '::1']);
  writeFileDurably(keyPath, made.key, 0o600);
  writeFileDurably(certPath, made.cert, 0o644);
  return { ...made, fingerprint: certFingerprint(made.cert) };
}

/**
 * 16 random bytes with the top bit clear: a positive DER INTEGER (a serial with the top bit set
 * is a negative number, which RFC 5280 forbids and strict verifiers refuse).
 */
function positiveSerial(): string {
  const b = webcrypto.getRandomValues(new Uint8Array(16));
  b[0] = (b[0]! & 0x7f) | 0x01;
  return Buffer.from(b).toString('hex');
}

async function selfSigned(hosts: readonly string[]): Promise<{ key: string; cert: string }> {
  // @peculiar/x509 needs the Reflect metadata polyfill (tsyringe); loaded only when generating.
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const names = hosts.map((h) =>
    /^[\d.]+$|:/.test(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h },
  );
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: positiveSerial(),
    name: 'CN=Field kit hub',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 3650 * 86_400_000),
    signingAlgorithm: alg,
    keys: keys,
    extensions: [
      new x509.SubjectAlternativeNameExtension(names),
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const key = `-----BEGIN PRIVATE KEY-----\n${pkcs8
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n')}\n-----END PRIVATE KEY-----\n`;
  return { key, cert: cert.toString('pem') };
}
