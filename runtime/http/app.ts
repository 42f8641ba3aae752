import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { DamageReport, StoreError, type ReadOptions } from '../../store/index.ts';
import type { ObservationRecord } from '../../store/schema/observation.ts';
import type { KitEvent } from '../events.ts';
import type { InstrumentStatus } from '../instruments/instrument-status.ts';
import type { ConsultInput } from '../link/kit-link.ts';
import type { WireDelivery, WireInboxItem, WireLinkStatus } from '../link/wire-link.ts';
import type { LiveBus } from '../live-bus.ts';
import type { StorageStatus } from '../storage-status.ts';
import { liveEvents } from './sse.ts';
import { toWireObservation, type WireDamageHeader } from './wire.ts';

/** What the HTTP layer reads from the rest of the kit; the composition root wires it. */
export interface AppDeps {
  readonly version: string;
  readonly bus: LiveBus<KitEvent>;
  /** Newest observations; damaged records are skipped and reported to `options.onDamaged`. */
  readonly recentObservations: (limit: number, options?: ReadOptions) => Promise<ObservationRecord[]>;
  readonly instruments: () => InstrumentStatus[];
  /** Whether readings are being stored, and the disk's free space. */
  readonly storage: () => StorageStatus;
  /** Absolute path of the built PWA (pwa/dist). */
  readonly staticRoot: string;
  readonly heartbeatMs?: number;
  /** The link to the specialists, when the kit runs one. */
  readonly link?: LinkApi;
}

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

/** Largest request body any route accepts (no route takes uploads yet). */
export const MAX_BODY_BYTES = 64 * 1024;

const DAMAGED_COUNT_HEADER: WireDamageHeader = 'fieldkit-damaged-count';
const DAMAGED_IDS_HEADER: WireDamageHeader = 'fieldkit-damaged-ids';
/** Damaged ids named in a header (the count is exact). */
const MAX_DAMAGED_IDS = 50;

const RecentQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) });

/**
 * The kit's HTTP API and the tablet app's static files. Tests drive it over a real socket; every
 * input is schema-checked and answered with a typed JSON error.
 */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.use(
    '*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => c.json({ error: 'body_too_large', limit: MAX_BODY_BYTES }, 413),
    }),
  );
  app.get('/api/health', (c) => c.json({ ok: true, version: deps.version, storage: deps.storage() }));
  app.get('/api/observations', async (c) => {
    const q = RecentQuery.safeParse(c.req.query());
    if (!q.success)
      return c.json({ error: 'bad_query', detail: q.error.issues[0]?.message ?? 'invalid' }, 400);
    const damage = new DamageReport();
    const records = await deps.recentObservations(q.data.limit, damage);
    if (damage.count > 0) {
      // The readable records are the answer; the damaged ones are named beside them.
      c.header(DAMAGED_COUNT_HEADER, String(damage.count));
      c.header(DAMAGED_IDS_HEADER, damage.ids.slice(0, MAX_DAMAGED_IDS).join(','));
    }
    return c.json(records.map(toWireObservation));
  });
  app.get('/api/instruments', (c) => c.json(deps.instruments()));
  app.get('/api/link/status', (c) => c.json(deps.link?.status() ?? LINK_OFF));
  app.get('/api/link/items', (c) => c.json(deps.link?.items() ?? []));
  app.get('/api/link/inbox', async (c) => c.json((await deps.link?.inbox()) ?? []));
  app.get('/api/link/specialists', (c) => c.json(deps.link?.specialists() ?? []));
  app.post('/api/link/consultations', async (c) => {
    const link = deps.link;
    if (!link) return c.json({ error: 'link_off' }, 503);
    const raw: unknown = await c.req.json().catch(() => undefined);
    const parsed = ConsultRequest.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return c.json(
        { error: 'bad_request', detail: `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}` },
        400,
      );
    }
    if (!link.specialists().some((s) => s.id === parsed.data.to))
      return c.json({ error: 'unknown_specialist', detail: parsed.data.to }, 400);
    try {
      return c.json(await link.consult(parsed.data), 201);
    } catch (err) {
      if (err instanceof StoreError && err.code === 'not_found')
        return c.json({ error: 'unknown_observation', detail: err.message }, 400);
      throw err;
    }
  });
  app.get('/api/events', (c) =>
    liveEvents(
      c,
      deps.bus,
      () => ({ version: deps.version, instruments: deps.instruments(), storage: deps.storage() }),
      deps.heartbeatMs,
    ),
  );
  app.all('/api/*', (c) => c.json({ error: 'not_found' }, 404));
  app.use('/*', serveStatic({ root: deps.staticRoot }));
  app.get('*', serveStatic({ root: deps.staticRoot, path: 'index.html' }));
  app.onError((err, c) => c.json({ error: 'internal', detail: err.message }, 500));
  return app;
}
