import { Hono } from 'hono';
import { z } from 'zod';
import { isStoreError } from '../../store/index.ts';
import type { ConsultInput } from '../link/kit-link.ts';
import type { WireDelivery, WireInboxItem, WireLinkStatus } from '../link/wire-link.ts';
import { ROLES, type AuthEnv } from './auth/identity.ts';
import { requireRole } from './auth/middleware.ts';
import { jsonBody } from './body.ts';
import { apiError } from './errors.ts';

/** What the HTTP layer uses of the kit's link (runtime/link/kit-link.ts). */
export interface LinkApi {
  status(): WireLinkStatus;
  items(): WireDelivery[];
  inbox(): Promise<WireInboxItem[]>;
  specialists(): { id: string; name: string }[];
  consult(input: ConsultInput): Promise<WireDelivery>;
}

/** The link's status when the kit runs without one. */
const LINK_OFF: WireLinkStatus = {
  hub: 'off',
  reason: null,
  since: null,
  directorySerial: null,
  directoryRefusals: 0,
  identity: null,
  pending: 0,
  refused: {},
  direct: [],
};

const ConsultRequest = z.object({
  to: z.string().min(1).max(128),
  urgency: z.enum(['urgent', 'routine']),
  question: z.string().trim().min(1).max(20_000),
  patient: z
    .object({ age: z.number().int().min(0).max(130).optional(), sex: z.enum(['f', 'm', 'x']).optional() })
    .strict()
    .optional(),
  observationIds: z.array(z.string().min(1).max(64)).max(2000).default([]),
});

const ANY_ROLE = ROLES as [(typeof ROLES)[number], ...(typeof ROLES)[number][]];

/**
 * The link as the tablets use it: its status, the delivery state of every item sent, what came
 * back (verified or not, with reasons), the specialists of the pinned directory, and sending a
 * consultation with stored readings. Without a link the reads answer "off" and empty lists and a
 * consultation is refused with `link_off`.
 */
export function linkRoutes(link: LinkApi | undefined): Hono<AuthEnv> {
  const r = new Hono<AuthEnv>();
  r.get('/link/status', requireRole(...ANY_ROLE), (c) => c.json(link?.status() ?? LINK_OFF));
  r.get('/link/items', requireRole(...ANY_ROLE), (c) => c.json(link?.items() ?? []));
  r.get('/link/inbox', requireRole(...ANY_ROLE), async (c) => c.json((await link?.inbox()) ?? []));
  r.get('/link/specialists', requireRole(...ANY_ROLE), (c) => c.json(link?.specialists() ?? []));
  r.post('/link/consultations', requireRole('feldsher', 'doctor'), jsonBody(ConsultRequest), async (c) => {
    if (!link) return apiError(c, 'link_off', 'This kit runs without a link to specialists.');
    const input = c.req.valid('json');
    if (!link.specialists().some((s) => s.id === input.to))
      return apiError(c, 'invalid_body', 'No such specialist in the directory.', {
        issues: [{ path: 'to', message: 'unknown specialist' }],
      });
    try {
      return c.json(await link.consult(input), 201);
    } catch (err) {
      if (isStoreError(err, 'not_found'))
        return apiError(c, 'invalid_body', err.message, {
          issues: [{ path: 'observationIds', message: 'unknown observation' }],
        });
      throw err;
    }
  });
  return r;
}
