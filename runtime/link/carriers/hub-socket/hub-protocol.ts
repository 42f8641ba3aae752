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

/**
 * TLS options that trust exactly one hub certificate: it is the only CA, and its fingerprint is
 * compared on every connection (host names are not what is trusted; the certificate is).
 */
export function pinnedTlsOptions(certPem: string): {
  ca: string;
  checkServerIdentity: (host: string, cert: { fingerprint256?: string }) => Error | undefined;
} {
  const pinned = certFingerprint(certPem);
  return {
    ca: certPem,
    checkServerIdentity: (_host, cert) =>
      cert.fingerprint256 === pinned
        ? undefined
        : new Error(`hub certificate ${cert.fingerprint256 ?? '?'} is not the pinned ${pinned}`),
  };
}
