import { TabletRole } from '../../../store/schema/tablet.ts';

/** The roles a tablet can be paired with, in the order the kit lists them. */
export const ROLES: readonly Role[] = TabletRole.options;
/** A paired tablet's role: feldsher (the house call), doctor (reads, concludes), coordinator (pairs tablets, sees all). */
export type Role = TabletRole;

/** Who is calling: the tablet behind the bearer token of this request. */
export interface TabletIdentity {
  /** The tablet's record id (`t-…`), stable across restarts; revoking it ends every request. */
  readonly id: string;
  /** The device name given at pairing (e.g. "Планшет фельдшера"). */
  readonly name: string;
  readonly role: Role;
}

/**
 * The Hono environment of every protected route: `new Hono<AuthEnv>()`, then `c.get('tablet')`
 * is the caller (set by the authentication middleware before any route runs).
 */
export interface AuthEnv {
  Variables: { tablet: TabletIdentity };
}
