import { X509Certificate } from 'node:crypto';
import { ascii, concatBytes } from '../../../../crypto/bytes.ts';

/**
 * What the hub and its clients agree on, kept apart from both so a kit does not load the hub's
 * server code: the link WebSocket's path and token subprotocol, the signed authentication
 * message, and certificate pinning.
 */

/** The path of the link WebSocket. */
export const LINK_PATH = '/api/link';
/** WebSocket subprotocol prefix carrying the token (browsers cannot set an Authorization header). */
export const TOKEN_PROTOCOL = 'fieldkit.token.';
/** The link's WebSocket subprotocol. */
export const LINK_PROTOCOL = 'fieldkit.v1';
/** What a device signs to prove it holds its key: domain, the hub's challenge, its own key. */
export const AUTH_DOMAIN = ascii('fieldkit/hub-auth/v1\u0000');

/** The message a device signs for a challenge. */
export function authMessage(challenge: Uint8Array, signingKey: Uint8Array): Uint8Array {
  return concatBytes(AUTH_DOMAIN, challenge, signingKey);
}

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
