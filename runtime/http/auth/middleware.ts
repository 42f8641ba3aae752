import type { Context, MiddlewareHandler } from 'hono';
import { apiError } from '../errors.ts';
import type { AuthEnv, Role, TabletIdentity } from './identity.ts';
import { bearerToken, type TokenVerifier } from './verifier.ts';

/** API paths answered without a token: pairing itself (the way to get one). */
export const PUBLIC_API_PATHS: ReadonlySet<string> = new Set(['/api/pair']);

/**
 * Authenticates every `/api/*` request except {@link PUBLIC_API_PATHS}: no or an unknown token
 * is 401 `unauthorized`, a revoked one 401 `token_revoked`; otherwise `c.get('tablet')` is set.
 * Deny by default: an API route someone forgets to protect is still closed, unknown API paths
 * included (a caller without a token learns nothing about which paths exist).
 */
export function authenticate(verifier: TokenVerifier): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    if (PUBLIC_API_PATHS.has(c.req.path)) return next();
    const token = bearerToken(c.req.header('authorization'));
    if (token === undefined)
      return apiError(c, 'unauthorized', 'A bearer token is required (pair this tablet first).');
    const check = await verifier.verify(token);
    if (!check.ok)
      return check.reason === 'revoked'
        ? apiError(c, 'token_revoked', 'This tablet was revoked; pair it again.')
        : apiError(c, 'unauthorized', 'Unknown token (pair this tablet again).');
    c.set('tablet', check.tablet);
    return next();
  };
}

const ROUTE_ROLES = new WeakMap<object, readonly Role[]>();

/**
 * Lets only tablets of the given roles through (403 `forbidden` otherwise; 401 if no tablet was
 * authenticated, e.g. on a route mounted outside `/api`). Put it on every protected route:
 * `api.get('/visits/:id', requireRole('feldsher', 'doctor'), handler)`. The router test reads the
 * roles back ({@link rolesOf}) and checks each route answers 403 to the others.
 */
export function requireRole(...roles: [Role, ...Role[]]): MiddlewareHandler<AuthEnv> {
  const allowed = new Set<Role>(roles);
  const handler: MiddlewareHandler<AuthEnv> = async (c, next) => {
    const tablet = c.get('tablet') as TabletIdentity | undefined;
    if (tablet === undefined) return apiError(c, 'unauthorized', 'A bearer token is required.');
    if (!allowed.has(tablet.role))
      return apiError(
        c,
        'forbidden',
        `This needs the role ${roles.join(' or ')}; this tablet is ${tablet.role}.`,
      );
    return next();
  };
  ROUTE_ROLES.set(handler, Object.freeze([...roles]));
  return handler;
}

/** The roles a {@link requireRole} handler admits (undefined for any other handler). */
export function rolesOf(handler: unknown): readonly Role[] | undefined {
  return typeof handler === 'function' ? ROUTE_ROLES.get(handler) : undefined;
}

/** The caller of a protected route; throws if the route was mounted without authentication (a bug). */
export function tabletOf(c: Context<AuthEnv>): TabletIdentity {
  const tablet = c.get('tablet') as TabletIdentity | undefined;
  if (tablet === undefined) throw new Error('tabletOf: the route is not behind authenticate()');
  return tablet;
}
