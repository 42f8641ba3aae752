import { createPrivateKey, X509Certificate } from 'node:crypto';

/**
 * PEM text and signature checks with node:crypto alone: what the kit needs at every start and
 * renewal check, without loading @peculiar/x509 (about a third of a second to import), which is
 * only needed when a certificate is actually issued.
 */

/** PEM text of a DER certificate, ending in a newline (so chains concatenate). */
export function certificatePem(der: Uint8Array): string {
  return `${new X509Certificate(der).toString().trimEnd()}\n`;
}

/** PEM text of a PKCS#8 private key (what node:tls takes). */
export function privateKeyPem(pkcs8: Uint8Array): string {
  const key = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
  return `${(key.export({ format: 'pem', type: 'pkcs8' }) as string).trimEnd()}\n`;
}

/** True when `child` (DER) names `parent` as its issuer and carries a valid signature by its key. */
export function issuedBy(child: Uint8Array, parent: Uint8Array): boolean {
  try {
    const c = new X509Certificate(child);
    const p = new X509Certificate(parent);
    return c.checkIssued(p) && c.verify(p.publicKey);
  } catch {
    return false;
  }
}
