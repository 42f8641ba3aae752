import { ascii, concatBytes } from '../../../../crypto/bytes.ts';

/**
 * The browser-safe half of the hub protocol (no Node module): the link WebSocket's path and
 * subprotocols and the signed authentication message, which the specialist console uses as is.
 * hub-protocol.ts re-exports these beside its Node-only certificate pinning.
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
