import type { TabletIdentity } from './identity.ts';

/** The verdict on a bearer token. `revoked` and `unknown` are both 401, told apart for the tablet. */
export type TokenCheck =
  | { readonly ok: true; readonly tablet: TabletIdentity }
  | { readonly ok: false; readonly reason: 'unknown' | 'revoked' };

/**
 * Checks a bearer token against the paired tablets. The kit's implementation reads the store on
 * every call, so a `fieldkit tablets revoke` in another process takes effect on the next request.
 */
export interface TokenVerifier {
  verify(token: string): TokenCheck | Promise<TokenCheck>;
}

/** Longest token accepted for a lookup (ours are 47 characters); longer ones are refused unread. */
export const MAX_TOKEN_LENGTH = 128;

/**
 * The token of an `Authorization: Bearer …` header, or undefined. Only the header is read: auth
 * uses no cookies and no query strings, so tokens stay out of URLs, logs and CSRF's reach.
 */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^Bearer ([A-Za-z0-9_\-.~+/]+=*)$/.exec(header.trim());
  const token = m?.[1];
  return token !== undefined && token.length <= MAX_TOKEN_LENGTH ? token : undefined;
}
