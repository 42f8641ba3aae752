import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { except } from 'hono/combine';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { DamageReport, type ReadOptions } from '../../store/index.ts';
import type { ObservationRecord } from '../../store/schema/observation.ts';
import type { KitEvent } from '../events.ts';
import type { InstrumentStatus } from '../instruments/instrument-status.ts';
import type { LiveBus } from '../live-bus.ts';
import { createApi, isUploadPath, type ApiDeps } from './api/index.ts';
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
  /** The tablet app's API (patients, visits, entries, attachments, consultations, outbox). */
  readonly api: Omit<ApiDeps, 'bus'>;
}

/** Largest request body of every route but uploads (which apply their own, per kind). */
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
    except(
      (c) => isUploadPath(c.req.path),
      bodyLimit({
        maxSize: MAX_BODY_BYTES,
        onError: (c) => c.json({ error: 'body_too_large', limit: MAX_BODY_BYTES }, 413),
      }),
    ),
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
  app.get('/api/events', (c) =>
    liveEvents(
      c,
      deps.bus,
      () => ({ version: deps.version, instruments: deps.instruments(), storage: deps.storage() }),
      deps.heartbeatMs,
    ),
  );
  app.route('/api', createApi({ ...deps.api, bus: deps.bus }));
  app.all('/api/*', (c) => c.json({ error: 'not_found' }, 404));
  app.use('/*', serveStatic({ root: deps.staticRoot }));
  app.get('*', serveStatic({ root: deps.staticRoot, path: 'index.html' }));
  app.onError((err, c) => c.json({ error: 'internal', detail: err.message }, 500));
  return app;
}
