import type { TabletDb } from '../db/tablet-db.ts';
import { KitRefusal, type KitApi } from '../net/api.ts';
import { Cell } from './cell.ts';

/** Who this tablet is to the kit (its pairing answer; the kit's TabletIdentity). */
export interface TabletIdentity {
  readonly id: string;
  readonly name: string;
  readonly role: 'feldsher' | 'doctor' | 'coordinator';
}

/** What the tablet keeps after pairing: its bearer token and who it is. */
export interface SavedSession {
  readonly token: string;
  readonly tablet: TabletIdentity;
}

/** Why a pairing attempt failed, as the pairing screen words it. */
export type PairFailure = 'wrong_code' | 'rate_limited' | 'unreachable';

const KEY = 'session';

/** The pairing code carried in a pairing QR's URL fragment (`/pair#code=12345678`), if any. */
export function codeFromHash(hash: string): string | null {
  const m = /(?:^#|&)code=(\d{8})(?:&|$)/.exec(hash);
  return m?.[1] ?? null;
}

/**
 * The tablet's pairing with the kit: the bearer token (kept in the tablet's IndexedDB, sent only
 * in the Authorization header of the app's own requests, never in a URL or a cookie) and the
 * identity the kit gave it. `pair` exchanges a one-time code from the kit's screen for them;
 * `forget` drops them when the kit refuses the token (revoked, or the kit was reset).
 */
export function createSession(db: TabletDb) {
  let token: string | null = null;
  const tablet = new Cell<TabletIdentity | null>(null);
  /** True once the kit refused this tablet's token (or it has none and the kit asked for one). */
  const refused = new Cell(false);
  const restore = (saved: unknown): void => {
    const s = saved as Partial<SavedSession> | null | undefined;
    if (s && typeof s.token === 'string' && s.tablet) {
      token = s.token;
      tablet.set(s.tablet);
    }
  };
  return {
    tablet,
    refused,
    token: (): string | null => token,

    /** The settings key the session is kept under (read by the app's startup read). */
    key: KEY,

    /** Takes the session as read from the tablet's database (anything else is no session). */
    restore,

    async load(): Promise<void> {
      restore(await db.setting<SavedSession>(KEY));
    },

    /** Exchanges a code for a token (once: the code is spent by the kit). */
    async pair(api: KitApi, code: string, name: string): Promise<PairFailure | null> {
      try {
        const answer = await api.send<SavedSession>('POST', '/api/pair', { code, name });
        await db.setSetting(KEY, { token: answer.token, tablet: answer.tablet });
        token = answer.token;
        tablet.set(answer.tablet);
        refused.set(false);
        return null;
      } catch (error) {
        if (!(error instanceof KitRefusal)) return 'unreachable';
        return error.status === 429 ? 'rate_limited' : 'wrong_code';
      }
    },

    async forget(): Promise<void> {
      token = null;
      tablet.set(null);
      refused.set(true);
      await db.setSetting(KEY, null);
    },
  };
}

/** See {@link createSession}. */
export type TabletSession = ReturnType<typeof createSession>;
