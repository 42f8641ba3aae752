import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { jsonBody } from '../body.ts';
import { apiError, type ApiErrorCode } from '../errors.ts';
import type { ApiDeps } from './deps.ts';
import { type ApiEnv, canManageInstruments, canRead } from './env.ts';
import type { InstrumentPairing } from './instrument-control.ts';

/** Longest device id accepted (a BLE address is 17 characters, a serial path rarely past 100). */
const MAX_ID = 256;
/** Bodies of these routes are a few fields. */
const MAX_BODY = 4 * 1024;
const Id = z.string().trim().min(1).max(MAX_ID);
const SessionId = z.string().min(1).max(64);

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
/** `POST /api/instruments/pair`: the device to bond (as discovered) and the name to remember it by. */
export const PairRequest = z.strictObject({ id: Id, name: z.string().trim().min(1).max(128).optional() });
/** `POST /api/instruments/pairings/:id/answer`: the passkey typed, or yes/no to a confirmation. */
export const PairingAnswer = z.union([
  z.strictObject({ passkey: z.number().int().min(0).max(999_999) }),
  z.strictObject({ accept: z.boolean() }),
]);

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

const ANSWER_REFUSALS = {
  no_session: ['not_found', 'No such pairing in progress.'],
  no_question: ['no_question', 'The pairing asks nothing now.'],
  invalid_answer: ['invalid_answer', 'That answer does not fit the question.'],
} as const;

/**
 * The one instrument API (`/api/instruments/...`): what the kit keeps connected, what scans
 * found, adding and removing instruments, and pairing with BlueZ's questions answered on the
 * tablet. Any paired tablet may look; the feldsher and the coordinator, who handle the
 * instruments, may change the set:
 * - `GET /instruments`: remembered instruments with state, battery and counters;
 * - `GET /instruments/discovered`, `POST /instruments/scan` `{timeoutMs?}`: unknown devices in
 *   range, with the driver profile that would handle each (null: none);
 * - `POST /instruments/remember` `{id, profile?, name?}` 201; `POST /instruments/forget` `{id}`
 *   204 (the bond goes too);
 * - `GET /instruments/pairings` `{supported, sessions}`; `POST /instruments/pair` `{id, name?}`
 *   202 with the session; `POST /instruments/pairings/:session/answer` `{passkey}|{accept}`;
 *   `POST /instruments/pairings/:session/cancel`. A bonded instrument is remembered by the kit.
 * Device ids travel in bodies, never paths: serial ports are paths with slashes. Refusals use the
 * shared format: 400 `invalid_body`/`malformed_json`, 404 `not_found`, 409 `conflict` (already
 * pairing) or `no_question`, 422 `no_driver`/`invalid_answer`, 501 `not_available` (this kit's
 * radio cannot bond), 503 `unavailable` (the kit is stopping).
 */
export function instrumentRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>();
  const control = deps.instruments;
  const body = <S extends z.ZodType>(schema: S) => jsonBody(schema, { maxBytes: MAX_BODY });
  const pairing = (c: Context): InstrumentPairing | Response =>
    control.pairing ??
    apiError(c, 'not_available', 'This kit cannot pair instruments (its radio keeps no bonds).');

  r.get('/instruments', canRead, (c) => c.json(control.list()));
  r.get('/instruments/discovered', canRead, (c) => c.json(control.discovered()));

  r.post('/instruments/scan', canManageInstruments, body(ScanRequest), async (c) => {
    try {
      return c.json(await control.scan(c.req.valid('json').timeoutMs));
    } catch (err) {
      return refused(c, err);
    }
  });

  r.post('/instruments/remember', canManageInstruments, body(RememberRequest), async (c) => {
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
  });

  r.post('/instruments/forget', canManageInstruments, body(ForgetRequest), async (c) => {
    const { id } = c.req.valid('json');
    try {
      if (await control.forget(id)) return c.body(null, 204);
      return apiError(c, 'not_found', `No remembered instrument ${id}.`);
    } catch (err) {
      return refused(c, err);
    }
  });

  r.get('/instruments/pairings', canRead, (c) =>
    c.json({ supported: control.pairing !== undefined, sessions: control.pairing?.sessions() ?? [] }),
  );

  r.post('/instruments/pair', canManageInstruments, body(PairRequest), (c) => {
    const p = pairing(c);
    if (p instanceof Response) return p;
    const { id, name } = c.req.valid('json');
    const seen = control.discovered().find((d) => d.id === id);
    const shown = name ?? seen?.name;
    try {
      return c.json(p.start({ id, ...(shown === undefined ? {} : { name: shown }) }), 202);
    } catch (err) {
      return apiError(c, 'conflict', err instanceof Error ? err.message : String(err));
    }
  });

  r.post('/instruments/pairings/:session/answer', canManageInstruments, body(PairingAnswer), (c) => {
    const p = pairing(c);
    if (p instanceof Response) return p;
    const session = SessionId.safeParse(c.req.param('session'));
    if (!session.success) return apiError(c, 'not_found', 'No such pairing in progress.');
    const answer = c.req.valid('json');
    const result = p.answer(session.data, 'passkey' in answer ? answer.passkey : answer.accept);
    if (result.ok) return c.json({ ok: true });
    const [code, message] = ANSWER_REFUSALS[result.reason];
    return apiError(c, code, message);
  });

  r.post('/instruments/pairings/:session/cancel', canManageInstruments, (c) => {
    const p = pairing(c);
    if (p instanceof Response) return p;
    const session = SessionId.safeParse(c.req.param('session'));
    if (session.success && p.cancel(session.data)) return c.json({ ok: true });
    return apiError(c, 'not_found', 'No such pairing in progress.');
  });

  return r;
}
