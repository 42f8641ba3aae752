import { Hono } from 'hono';
import { CallError } from '../../link/live/call-relay.ts';
import { CallFromTablet, MAX_CALL_BODY_BYTES } from '../../link/live/call-wire.ts';
import type { ApiDeps } from './deps.ts';
import { type ApiEnv, canWrite, tabletIdOf } from './env.ts';
import { jsonBody } from '../body.ts';
import { ApiError } from './errors.ts';

const STATUS = { no_such_call: 404, taken_elsewhere: 409, signaling_down: 503 } as const;

/**
 * A tablet's side of a specialist's call (`POST /api/call`): its answer to the ringing offer, its
 * ICE candidates and its hang-up, relayed by the kit to the console through the hub. Clinicians'
 * tablets only; size-limited and schema-checked; a call that ended or that another tablet took
 * is a typed refusal.
 */
export function callRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>();
  r.post('/call', canWrite, jsonBody(CallFromTablet, { maxBytes: MAX_CALL_BODY_BYTES }), (c) => {
    const msg = c.req.valid('json');
    if (!deps.calls) throw new ApiError(404, { error: 'no_such_call', message: 'the kit has no live link' });
    try {
      deps.calls.fromTablet(tabletIdOf(c), msg);
    } catch (error) {
      if (error instanceof CallError)
        throw new ApiError(STATUS[error.code], { error: error.code, message: error.message });
      throw error;
    }
    return c.body(null, 204);
  });
  return r;
}
