import { Hono } from 'hono';
import { z } from 'zod';
import type { ApiDeps } from './deps.ts';
import type { ApiEnv } from './env.ts';
import { ApiError, readJson } from './errors.ts';

const Answer = z.union([
  z.object({ passkey: z.number().int().min(0).max(999_999) }),
  z.object({ accept: z.boolean() }),
]);

const notAvailable = () =>
  new ApiError(501, { error: 'not_available', message: 'this kit cannot pair or forget instruments yet' });

/**
 * The instrument screen's routes: the list (state, counters), and pairing and forgetting, which
 * delegate to the instrument manager and the pairing flow when the kit has them.
 */
export function instrumentRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>();
  const control = deps.instruments;

  r.get('/instruments', (c) => c.json(control.list()));

  r.post('/instruments/:id/pair', async (c) => {
    if (!control.pair) throw notAvailable();
    return c.json(await control.pair(c.req.param('id')), 202);
  });

  r.post('/pairings/:id/answer', async (c) => {
    if (!control.answer) throw notAvailable();
    const body = await readJson(c, Answer);
    const ok = control.answer(c.req.param('id'), 'passkey' in body ? body.passkey : body.accept);
    return ok ? c.json({ ok }) : c.json({ error: 'not_found', message: 'no such pairing in progress' }, 404);
  });

  r.post('/pairings/:id/cancel', (c) => {
    if (!control.cancel) throw notAvailable();
    const ok = control.cancel(c.req.param('id'));
    return ok ? c.json({ ok }) : c.json({ error: 'not_found', message: 'no such pairing in progress' }, 404);
  });

  r.delete('/instruments/:id', async (c) => {
    if (!control.forget) throw notAvailable();
    const ok = await control.forget(c.req.param('id'));
    return ok ? c.json({ ok }) : c.json({ error: 'not_found', message: 'no such instrument' }, 404);
  });

  return r;
}
