import { Hono } from 'hono';
import type { TabletIdentity } from '../auth/identity.ts';
import { InstrumentError } from '../../instruments/instrument-manager.ts';
import type { ApiDeps } from './deps.ts';
import type { ApiEnv } from './env.ts';
import { createApi, errorResponse } from './index.ts';
import type { InstrumentControl } from './instrument-control.ts';

/**
 * A kit with no instruments in range and a radio that cannot bond (a test double: the routes
 * under test are not the instrument ones; test/instruments-http.test.ts runs the real manager).
 */
export const NO_INSTRUMENTS: InstrumentControl = {
  list: () => [],
  discovered: () => [],
  scan: () => Promise.resolve([]),
  remember: (id) => Promise.reject(new InstrumentError('unknown_device', `no instrument ${id} was seen`)),
  forget: () => Promise.resolve(false),
};

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
