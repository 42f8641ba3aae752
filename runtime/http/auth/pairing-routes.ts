import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { PairingCodeInput, RedeemFailure, TabletRecord } from '../../../store/index.ts';
import { jsonBody } from '../body.ts';
import { apiError } from '../errors.ts';
import type { AuthEnv, TabletIdentity } from './identity.ts';
import { requireRole, tabletOf } from './middleware.ts';
import { FailureLimiter, type WindowLimit } from './rate-limit.ts';

/** The store's pairing operations. */
export interface PairingStore {
  createPairingCode(
    input: PairingCodeInput,
  ): Promise<{ tablet: TabletRecord; code: string; expiresAt: string }>;
  redeemPairingCode(
    code: string,
    deviceName?: string,
  ): Promise<{ ok: true; tablet: TabletRecord; token: string } | { ok: false; reason: RedeemFailure }>;
}

/** Rate limits of pairing attempts (failures only: pairing a row of tablets is never slowed). */
export interface PairingLimits {
  readonly perClient: WindowLimit;
  readonly overall: WindowLimit;
}

/** Defaults: 5 failures per client and 20 overall per 5 minutes. */
export const DEFAULT_PAIRING_LIMITS: PairingLimits = {
  perClient: { max: 5, windowMs: 5 * 60_000 },
  overall: { max: 20, windowMs: 5 * 60_000 },
};

/** `POST /api/pair`: a code typed or scanned on the tablet, and the name the tablet gives itself. */
export const PairRequest = z.object({
  code: z
    .string()
    .max(32)
    .transform((s) => s.replace(/[\s-]/g, ''))
    .pipe(z.string().regex(/^\d{8}$/, 'eight digits')),
  name: z.string().trim().min(1).max(64),
});

/** `POST /api/pairing-codes` (coordinators): a code for another tablet. */
export const PairingCodeRequest = z.object({
  role: z.enum(['feldsher', 'doctor', 'coordinator']),
  label: z.string().trim().min(1).max(64).optional(),
});

/** What a successful pairing returns, once. */
export interface PairResponse {
  readonly token: string;
  readonly tablet: TabletIdentity;
}

function clientOf(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown'; // in-process requests (tests) have no socket
  }
}

/**
 * Pairing over HTTPS: the public exchange of a one-time code for a token (rate-limited; every
 * failure looks the same to the caller), and code creation for coordinator tablets.
 */
export function pairingRoutes(store: PairingStore, limits: PairingLimits = DEFAULT_PAIRING_LIMITS) {
  const limiter = new FailureLimiter(limits);
  const routes = new Hono<AuthEnv>();
  routes.post('/pair', jsonBody(PairRequest, { maxBytes: 1024 }), async (c) => {
    c.header('Cache-Control', 'no-store');
    const client = clientOf(c);
    const wait = limiter.retryAfter(client);
    if (wait > 0)
      return apiError(c, 'rate_limited', 'Too many pairing attempts; wait and try again.', {
        retryAfter: wait,
      });
    const { code, name } = c.req.valid('json');
    const result = await store.redeemPairingCode(code, name);
    if (!result.ok) {
      limiter.fail(client);
      return apiError(c, 'pairing_failed', 'The code is wrong, expired or already used.');
    }
    const { id, role } = result.tablet;
    const body: PairResponse = { token: result.token, tablet: { id, name: result.tablet.name, role } };
    return c.json(body, 201);
  });
  routes.post('/pairing-codes', requireRole('coordinator'), jsonBody(PairingCodeRequest), async (c) => {
    c.header('Cache-Control', 'no-store');
    const { role, label } = c.req.valid('json');
    const created = await store.createPairingCode({
      role,
      ...(label === undefined ? {} : { label }),
      createdBy: tabletOf(c).id,
    });
    return c.json({ code: created.code, expiresAt: created.expiresAt, id: created.tablet.id }, 201);
  });
  return routes;
}
