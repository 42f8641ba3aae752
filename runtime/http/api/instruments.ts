import { Hono } from 'hono';
import { z } from 'zod';
import type { ApiDeps } from './deps.ts';
import { type ApiEnv, canManageInstruments, canRead } from './env.ts';
import { ApiError, readJson } from './errors.ts';

const Answer = z.union([
  z.object({ passkey: z.number().int().min(0).max(999_999) }),
  z.object({ accept: z.boolean() }),
]);
const PairBody = z.object({ name: z.string().trim().min(1).max(64).optional() });
const DeviceId = z.string().min(1).max(128);
const Scan = z.object({ seconds: z.coerce.number().int().min(1).max(30).default(5) });

const notAvailable = () =>
  new ApiError(501, { error: 'not_available', message: 'this kit cannot pair or forget instruments' });

const REFUSALS = {
  no_session: [404, 'no such pairing in progress'],
  no_question: [409, 'the pairing asks nothing now'],
  invalid_answer: [422, 'that answer does not fit the question'],
} as const;

/**
 * The instrument screen's routes: the list (state, counters), instruments in range, and
 * pairing (its questions answered from the tablet) and forgetting, which delegate to the kit's
 * pairing sessions when its transport can bond.
 */
export function instrumentRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>();
  const control = deps.instruments;

  r.get('/instruments', canRead, (c) => c.json(control.list()));

  r.get('/instruments/nearby', canRead, async (c) => {
    if (!control.discover) throw notAvailable();
    const q = Scan.safeParse(c.req.query());
    if (!q.success) throw new ApiError(400, { error: 'bad_query', message: 'seconds: 1-30' });
    return c.json(await control.discover(q.data.seconds * 1000));
  });

  r.post('/instruments/:id/pair', canManageInstruments, async (c) => {
    if (!control.pair) throw notAvailable();
    const id = DeviceId.safeParse(c.req.param('id'));
    if (!id.success) throw new ApiError(400, { error: 'bad_query', message: 'instrument id' });
    const body = c.req.header('content-type') ? await readJson(c, PairBody) : {};
    try {
      return c.json(control.pair({ id: id.data, ...(body.name ? { name: body.name } : {}) }), 202);
    } catch (error) {
      throw new ApiError(409, {
        error: 'conflict',
        message: error instanceof Error ? error.message : String(error),
      });
    }
  });

  r.get('/pairings', canRead, (c) => c.json(control.sessions?.() ?? []));

  r.post('/pairings/:id/answer', canManageInstruments, async (c) => {
    if (!control.answer) throw notAvailable();
    const body = await readJson(c, Answer);
    const result = control.answer(c.req.param('id'), 'passkey' in body ? body.passkey : body.accept);
    if (result.ok) return c.json({ ok: true });
    const [status, message] = REFUSALS[result.reason];
    return c.json({ error: result.reason, message }, status);
  });

  r.post('/pairings/:id/cancel', canManageInstruments, (c) => {
    if (!control.cancel) throw notAvailable();
    const ok = control.cancel(c.req.param('id'));
    return ok ? c.json({ ok }) : c.json({ error: 'not_found', message: 'no such pairing in progress' }, 404);
  });

  r.delete('/instruments/:id', canManageInstruments, async (c) => {
    if (!control.forget) throw notAvailable();
    await control.forget(c.req.param('id'));
    return c.json({ ok: true });
  });

  return r;
}
