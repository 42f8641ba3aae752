import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { DiscoveredInstrument, InstrumentStatus } from '../instruments/instrument-status.ts';
import type { AuthEnv } from './auth/identity.ts';
import { ROLES } from './auth/identity.ts';
import { requireRole } from './auth/middleware.ts';
import { jsonBody } from './body.ts';
import { apiError, type ApiErrorCode } from './errors.ts';

/**
 * What the tablet's "instruments" screen may do to the kit's set of instruments (the instrument
 * manager has it): search, list the unknown ones found, add one, remove one.
 */
export interface InstrumentControl {
  discovered(): DiscoveredInstrument[];
  scan(timeoutMs?: number): Promise<DiscoveredInstrument[]>;
  remember(id: string, options?: { profile?: string; name?: string }): Promise<InstrumentStatus>;
  forget(id: string): Promise<boolean>;
}

/** Longest device id accepted (a BLE address is 17 characters, a serial path rarely past 100). */
const MAX_ID = 256;
/** Bodies of these routes are a few fields. */
const MAX_BODY = 4 * 1024;
const Id = z.string().trim().min(1).max(MAX_ID);

/** `POST /api/instruments/remember`: the device (as discovered), and optionally its profile and a name. */
export const RememberRequest = z.strictObject({
  id: Id,
  profile: z.string().min(1).max(64).optional(),
  name: z.string().trim().min(1).max(128).optional(),
});
/** `POST /api/instruments/forget`. */
export const ForgetRequest = z.strictObject({ id: Id });
/** `POST /api/instruments/scan`: how long to listen (default: the kit's scan time). */
export const ScanRequest = z.strictObject({ timeoutMs: z.number().int().min(500).max(30_000).optional() });

/** The manager's refusals (InstrumentError codes) as the API's shared codes. */
const REFUSALS: Readonly<Record<string, ApiErrorCode>> = {
  unknown_device: 'not_found',
  not_remembered: 'not_found',
  no_driver: 'no_driver',
  stopped: 'unavailable',
};

function refused(c: Context, err: unknown): Response {
  const code = (err as { code?: unknown } | null)?.code;
  const mapped = typeof code === 'string' ? REFUSALS[code] : undefined;
  if (mapped === undefined) throw err;
  return apiError(c, mapped, err instanceof Error ? err.message : String(err));
}

const ANY_ROLE = ROLES as [(typeof ROLES)[number], ...(typeof ROLES)[number][]];

/**
 * The tablet's instrument discovery API, beside `GET /api/instruments` (the remembered ones).
 * Any paired tablet may look; the feldsher and the coordinator, who handle the instruments,
 * may change the set:
 * - `GET /api/instruments/discovered`: unknown devices the last scans saw, with the profile that
 *   would handle each (null: the kit has no driver for it) and the transport that found it;
 * - `POST /api/instruments/scan` `{timeoutMs?}`: scans now, answers the same list;
 * - `POST /api/instruments/remember` `{id, profile?, name?}`: remembers one (stored encrypted,
 *   kept connected from then on), 201 with its status;
 * - `POST /api/instruments/forget` `{id}`: forgets one and its bond, 204.
 * Ids travel in bodies, not paths: serial ports are paths with slashes. Refusals use the shared
 * format: `invalid_body`/`malformed_json` (400), `not_found` (404: never seen, or not
 * remembered), `no_driver` (422), `unavailable` (503: the kit is stopping).
 */
export function instrumentRoutes(control: InstrumentControl): Hono<AuthEnv> {
  const routes = new Hono<AuthEnv>();
  const changers = requireRole('feldsher', 'coordinator');
  routes.get('/instruments/discovered', requireRole(...ANY_ROLE), (c) => c.json(control.discovered()));
  routes.post('/instruments/scan', changers, jsonBody(ScanRequest, { maxBytes: MAX_BODY }), async (c) => {
    try {
      return c.json(await control.scan(c.req.valid('json').timeoutMs));
    } catch (err) {
      return refused(c, err);
    }
  });
  routes.post(
    '/instruments/remember',
    changers,
    jsonBody(RememberRequest, { maxBytes: MAX_BODY }),
    async (c) => {
      const { id, profile, name } = c.req.valid('json');
      try {
        const status = await control.remember(id, {
          ...(profile === undefined ? {} : { profile }),
          ...(name === undefined ? {} : { name }),
        });
        return c.json(status, 201);
      } catch (err) {
        return refused(c, err);
      }
    },
  );
  routes.post('/instruments/forget', changers, jsonBody(ForgetRequest, { maxBytes: MAX_BODY }), async (c) => {
    const { id } = c.req.valid('json');
    try {
      if (await control.forget(id)) return c.body(null, 204);
      return apiError(c, 'not_found', `No remembered instrument ${id}.`);
    } catch (err) {
      return refused(c, err);
    }
  });
  return routes;
}
