import { X509Certificate } from 'node:crypto';

/**
 * What the hub and its clients agree on, kept apart from both so a kit does not load the hub's
 * server code: the link WebSocket's path and token subprotocol, the signed authentication
 * message (from the browser-safe hub-wire.ts), and certificate pinning.
 */

export { AUTH_DOMAIN, LINK_PATH, LINK_PROTOCOL, TOKEN_PROTOCOL, authMessage } from './hub-wire.ts';

/** The SHA-256 fingerprint of a PEM certificate (upper-case hex pairs joined by ':'). */
export function certFingerprint(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}

/** A peer certificate as node:tls hands it to `checkServerIdentity` (with its issuers). */
interface PeerCert {
  fingerprint256?: string;
  issuerCertificate?: PeerCert;
}

/**
 * TLS options that trust exactly one hub certificate: it is the only CA, and its fingerprint is
 * compared on every connection (host names are not what is trusted; the certificate is). The
 * pinned certificate is either the hub's own leaf (an operator's self-signed one) or the hub's
 * root CA: the presented chain must then lead to exactly that root.
 */
export function pinnedTlsOptions(certPem: string): {
  ca: string;
  checkServerIdentity: (host: string, cert: PeerCert) => Error | undefined;
} {
  const pinned = certFingerprint(certPem);
  return {
    ca: certPem,
    checkServerIdentity: (_host, cert) => {
      // Walk leaf → issuers (node completes the chain with the trusted root; a root is its own issuer).
      let at: PeerCert | undefined = cert;
      for (let depth = 0; at && depth < 8; depth++) {
        if (at.fingerprint256 === pinned) return undefined;
        at = at.issuerCertificate === at ? undefined : at.issuerCertificate;
      }
      return new Error(
        `hub certificate ${cert.fingerprint256 ?? '?'} does not chain to the pinned ${pinned}`,
      );
    },
  };
}
