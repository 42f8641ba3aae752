import type { Context } from 'hono';

/** Roles a paired tablet holds (the LAN server's pairing binds each token to one). */
export type TabletRole = 'feldsher' | 'doctor' | 'coordinator';

/**
 * Who is calling, as the auth middleware in front of the API puts it on the context (the same
 * shape as runtime/http/auth's identity, which replaces this file's types when it lands).
 */
export interface TabletIdentity {
  readonly id: string;
  readonly name: string;
  readonly role: TabletRole;
}

/**
 * The Hono environment of the API routes. The auth middleware (runtime/http/auth, the LAN
 * security work) sets `tablet`; the routes read it only to name who entered what.
 */
export interface ApiEnv {
  Variables: { tablet?: TabletIdentity };
}

/** The author recorded with an entry: the paired tablet's device name, when auth has named it. */
export function authorOf(c: Context<ApiEnv>): string {
  const tablet = c.get('tablet');
  return tablet ? `${tablet.name} (${tablet.role})` : 'tablet';
}
