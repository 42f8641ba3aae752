/**
 * The LAN server's authentication, as routes use it: mount routes on `new Hono<AuthEnv>()`, put
 * `requireRole(...)` on each, and read the caller with `c.get('tablet')`.
 */
export { authenticate, requireRole, rolesOf, tabletOf, PUBLIC_API_PATHS } from './middleware.ts';
export { ROLES } from './identity.ts';
export type { AuthEnv, Role, TabletIdentity } from './identity.ts';
export { bearerToken } from './verifier.ts';
export type { TokenCheck, TokenVerifier } from './verifier.ts';
