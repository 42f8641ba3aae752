import { Hono } from 'hono';
import type { TabletIdentity } from '../auth/identity.ts';
import type { ApiDeps } from './deps.ts';
import type { ApiEnv } from './env.ts';
import { createApi, errorResponse } from './index.ts';

/**
 * The API in process as one paired tablet calls it: the identity the auth middleware would set,
 * then the routes (the real middleware and tokens are tested in runtime/http/app-auth.test.ts and
 * over HTTPS in test/tablet).
 */
export function apiAsTablet(
  deps: ApiDeps,
  tablet: TabletIdentity = { id: 't-0000000000000001', name: 'Планшет фельдшера', role: 'feldsher' },
): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.use('*', async (c, next) => {
    c.set('tablet', tablet);
    await next();
  });
  app.route('/', createApi(deps));
  app.onError((err, c) => errorResponse(c, err));
  return app;
}
