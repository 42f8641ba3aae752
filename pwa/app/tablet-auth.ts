import type { TabletIdentity } from '../../runtime/http/auth/identity.ts';

/** What the tablet keeps after pairing: its bearer token and who it is. */
export interface TabletSession {
  readonly token: string;
  readonly tablet: TabletIdentity;
}

const KEY = 'fieldkit.session';

/**
 * The tablet's session in localStorage. Auth uses no cookies (the kit never sets one), so the
 * token is sent only where the app puts it: the Authorization header of its own requests.
 */
export function loadSession(storage: Storage = localStorage): TabletSession | null {
  try {
    const raw = storage.getItem(KEY);
    if (raw === null) return null;
    const s = JSON.parse(raw) as Partial<TabletSession>;
    return typeof s.token === 'string' && s.tablet ? (s as TabletSession) : null;
  } catch {
    return null;
  }
}

/** Keeps the session (after pairing). */
export function saveSession(session: TabletSession, storage: Storage = localStorage): void {
  storage.setItem(KEY, JSON.stringify(session));
}

/** Forgets the session (revoked, or the user pairs again). */
export function clearSession(storage: Storage = localStorage): void {
  storage.removeItem(KEY);
}

/** Thrown by {@link authFetch} when the kit no longer accepts the token. */
export class UnauthorizedError extends Error {
  constructor() {
    super('the kit refused this tablet’s token');
    this.name = 'UnauthorizedError';
  }
}

/** `fetch` with the tablet's bearer token; a 401 throws {@link UnauthorizedError}. */
export async function authFetch(
  session: TabletSession,
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('Authorization', `Bearer ${session.token}`);
  const res = await fetch(path, { ...init, headers, credentials: 'omit' });
  if (res.status === 401) throw new UnauthorizedError();
  return res;
}

/** The pairing code carried in the URL fragment of a pairing QR (`/pair#code=12345678`), if any. */
export function codeFromHash(hash: string): string | null {
  const m = /(?:^#|&)code=(\d{8})(?:&|$)/.exec(hash);
  return m?.[1] ?? null;
}
