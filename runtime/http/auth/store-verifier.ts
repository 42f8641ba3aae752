import type { TabletRecord } from '../../../store/index.ts';
import type { TokenVerifier } from './verifier.ts';

/** The part of the store that knows tablets by token. */
export interface TabletLookup {
  tabletByToken(token: string): TabletRecord | undefined;
}

/**
 * Verifies bearer tokens against the store on every request (a blind lookup and one decryption,
 * microseconds): a `fieldkit tablets revoke` run in another process applies to the next request
 * without the kit being told.
 */
export function storeTokenVerifier(store: TabletLookup): TokenVerifier {
  return {
    verify(token) {
      if (!token.startsWith('fkt_')) return { ok: false, reason: 'unknown' };
      const t = store.tabletByToken(token);
      if (t === undefined) return { ok: false, reason: 'unknown' };
      if (t.status !== 'active') return { ok: false, reason: 'revoked' };
      return { ok: true, tablet: { id: t.id, name: t.name, role: t.role } };
    },
  };
}
