import type { Context, Env, Hono, MiddlewareHandler } from 'hono';
import { z } from 'zod';
import type { DiscoveredInstrument, InstrumentStatus } from '../instruments/instrument-status.ts';
import type { WireInstrumentError } from './wire.ts';

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

/** Longest device id accepted (a BLE address is 17, a serial path rarely past 100). */
const MAX_ID = 256;
const Id = z.string().trim().min(1).max(MAX_ID);
const RememberBody = z.strictObject({
  id: Id,
  profile: z.string().min(1).max(64).optional(),
  name: z.string().min(1).max(128).optional(),
});
const ForgetBody = z.strictObject({ id: Id });
const ScanBody = z.strictObject({ timeoutMs: z.number().int().min(500).max(30_000).optional() });

/** Error codes of the manager (InstrumentError.code) and the HTTP status each answers with. */
const STATUS_OF: Readonly<Record<string, 404 | 422 | 503>> = {
  unknown_device: 404,
  not_remembered: 404,
  no_driver: 422,
  stopped: 503,
};

async function jsonBody(c: Context): Promise<unknown> {
  try {
    return (await c.req.json()) as unknown;
  } catch {
    return Symbol('unreadable');
  }
}

function refused(c: Context, error: z.ZodError) {
  const issue = error.issues[0];
  const body: WireInstrumentError = {
    error: 'bad_request',
    detail: issue ? `${issue.path.join('.') || '(body)'}: ${issue.message}` : 'invalid',
  };
  return c.json(body, 400);
}

function managerError(c: Context, err: unknown) {
  const code = (err as { code?: unknown } | null)?.code;
  const status = typeof code === 'string' ? STATUS_OF[code] : undefined;
  if (status === undefined) throw err;
  const body: WireInstrumentError = {
    error: code as WireInstrumentError['error'],
    detail: err instanceof Error ? err.message : String(err),
  };
  return c.json(body, status);
}

/**
 * The tablet's instrument discovery API, beside `GET /api/instruments` (the remembered ones):
 * - `GET /api/instruments/discovered`: unknown devices seen by the last scans, with the profile
 *   that would handle each (null: the kit has no driver for it);
 * - `POST /api/instruments/scan` `{timeoutMs?}`: scans now, answers the same list;
 * - `POST /api/instruments/remember` `{id, profile?, name?}`: remembers one (stored encrypted,
 *   connected from then on) and answers its status;
 * - `POST /api/instruments/forget` `{id}`: forgets one (and its bond).
 * Ids travel in bodies, not paths: serial ports are paths with slashes. Bodies are schema-checked
 * (400 `bad_request`); the manager's refusals are typed (404 `unknown_device`/`not_remembered`,
 * 422 `no_driver`, 503 `stopped`).
 */
export function instrumentRoutes<E extends Env>(
  app: Hono<E>,
  control: InstrumentControl,
  /** Who may use them (the kit passes `requireRole(...)`, which the router-wide auth test reads). */
  guard: MiddlewareHandler<E>,
): void {
  app.get('/api/instruments/discovered', guard, (c) => c.json(control.discovered()));
  app.post('/api/instruments/scan', guard, async (c) => {
    const raw = c.req.header('content-length') === '0' ? {} : await jsonBody(c);
    const parsed = ScanBody.safeParse(raw);
    if (!parsed.success) return refused(c, parsed.error);
    try {
      return c.json(await control.scan(parsed.data.timeoutMs));
    } catch (err) {
      return managerError(c, err);
    }
  });
  app.post('/api/instruments/remember', guard, async (c) => {
    const parsed = RememberBody.safeParse(await jsonBody(c));
    if (!parsed.success) return refused(c, parsed.error);
    const { id, profile, name } = parsed.data;
    try {
      const status = await control.remember(id, {
        ...(profile === undefined ? {} : { profile }),
        ...(name === undefined ? {} : { name }),
      });
      return c.json(status, 201);
    } catch (err) {
      return managerError(c, err);
    }
  });
  app.post('/api/instruments/forget', guard, async (c) => {
    const parsed = ForgetBody.safeParse(await jsonBody(c));
    if (!parsed.success) return refused(c, parsed.error);
    try {
      if (await control.forget(parsed.data.id)) return c.body(null, 204);
      const body: WireInstrumentError = {
        error: 'not_remembered',
        detail: `no remembered instrument ${parsed.data.id}`,
      };
      return c.json(body, 404);
    } catch (err) {
      return managerError(c, err);
    }
  });
}
