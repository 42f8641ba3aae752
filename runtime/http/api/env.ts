import type { Context } from 'hono';
import type { AuthEnv } from '../auth/identity.ts';
import { ROLES, type Role } from '../auth/identity.ts';
import { requireRole } from '../auth/middleware.ts';

export type { Role as TabletRole, TabletIdentity } from '../auth/identity.ts';

/** The Hono environment of the API routes: the auth middleware has set `tablet` (the caller). */
export type ApiEnv = AuthEnv;

/** Reading patients, visits, the outbox and instruments: every paired tablet. */
export const canRead = requireRole(...(ROLES as [Role, ...Role[]]));
/** Writing in a visit (patients, entries, uploads, consultation requests): the clinicians. */
export const canWrite = requireRole('feldsher', 'doctor');
/**
 * Changing the kit's set of instruments (scan, remember, pair, forget): the feldsher who uses them
 * at the bedside and the coordinator who sets the kit up. A doctor's tablet may look.
 */
export const canManageInstruments = requireRole('feldsher', 'coordinator');

/** The author recorded with an entry: the paired tablet's device name and role. */
export function authorOf(c: Context<ApiEnv>): string {
  const tablet = c.get('tablet') as AuthEnv['Variables']['tablet'] | undefined;
  return tablet ? `${tablet.name} (${tablet.role})` : 'tablet';
}

/** The paired tablet's stable id (the device of a manual entry's observation). */
export function tabletIdOf(c: Context<ApiEnv>): string {
  const tablet = c.get('tablet') as AuthEnv['Variables']['tablet'] | undefined;
  return tablet?.id ?? 'unknown';
}
