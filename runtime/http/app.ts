import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { except } from 'hono/combine';
import { z } from 'zod';
import { DamageReport, isStoreError, type ReadOptions } from '../../store/index.ts';
import type { ObservationRecord } from '../../store/schema/observation.ts';
import type { ExportSource } from '../fhir/export/export-source.ts';
import { createApi, errorResponse, isUploadPath, type ApiDeps } from './api/index.ts';
import { ApiError } from './api/errors.ts';
import { authenticate, requireRole, tabletOf } from './auth/middleware.ts';
import { ROLES, type AuthEnv } from './auth/identity.ts';
import { fhirRoutes } from './fhir-routes.ts';
import { pairingRoutes, type PairingLimits, type PairingStore } from './auth/pairing-routes.ts';
import { bearerToken, type TokenVerifier } from './auth/verifier.ts';
import { bodyTooLarge, bodyTooLargeIn, limitBody } from './body.ts';
import { apiError, toApiIssues } from './errors.ts';
import { linkRoutes, type LinkApi } from './link-routes.ts';
import { liveChannel } from './live/channel.ts';
import type { LiveJournal } from './live/journal.ts';
import type { StorageStatus } from '../storage-status.ts';
import { toWireObservation, type WireDamageHeader } from './wire.ts';

/** What the HTTP layer reads from the rest of the kit; the composition root wires it. */
export interface AppDeps {
  readonly version: string;
  /** The live channel's replay buffer, fed by the kit's bus. */
  readonly journal: LiveJournal;
  /** Newest observations; damaged records are skipped and reported to `options.onDamaged`. */
  readonly recentObservations: (limit: number, options?: ReadOptions) => Promise<ObservationRecord[]>;
  /** Whether readings are being stored, and the disk's free space. */
  readonly storage: () => StorageStatus;
  /** Absolute path of the built PWA (pwa/dist). */
  readonly staticRoot: string;
  readonly tokens: TokenVerifier;
  readonly pairing: PairingStore;
  readonly pairingLimits?: PairingLimits;
  readonly heartbeatMs?: number;
  /** The link to the specialists, when the kit runs one. */
  readonly link?: LinkApi;
  /** The store as the FHIR export reads it (`GET /api/visits/:id/fhir`). */
  readonly fhir: ExportSource;
  /** The tablet app's API (patients, visits, entries, attachments, consultations, outbox, instruments). */
  readonly api: ApiDeps;
}

/** Largest request body of every API route but uploads (which apply their own, per kind). */
export const MAX_JSON_BODY_BYTES = 64 * 1024;

/**
 * Ceiling of any request body (a photo or a voice note); JSON routes declare far smaller limits
 * with `jsonBody`, uploads their own per kind. Bodies are read only after authentication, so a
 * stranger's upload is refused unread; the ceiling streams (see `limitBody`): no body is held
 * whole to be measured.
 */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

const DAMAGED_COUNT_HEADER: WireDamageHeader = 'fieldkit-damaged-count';
const DAMAGED_IDS_HEADER: WireDamageHeader = 'fieldkit-damaged-ids';
/** Damaged ids named in a header (the count is exact). */
const MAX_DAMAGED_IDS = 50;

const RecentQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) });
const ANY_ROLE = ROLES as [(typeof ROLES)[number], ...(typeof ROLES)[number][]];

/**
 * The kit's HTTPS app: the API (every route behind a bearer token and a role, except pairing)
 * and the tablet app's static files (public, so the service worker can cache the shell).
 * Routes are added after `authenticate`, which Hono runs first for every `/api/*` request.
 */
export function createApp(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.use('*', async (c, next) => {
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Frame-Options', 'DENY');
  });
  app.use('/api/*', authenticate(deps.tokens));
  app.use('/api/*', limitBody(MAX_BODY_BYTES));
  // Uploads apply their own limits, per kind; every other body is small JSON.
  app.use(
    '/api/*',
    except((c) => isUploadPath(c.req.path), limitBody(MAX_JSON_BODY_BYTES)),
  );
  app.route('/api', pairingRoutes(deps.pairing, deps.pairingLimits));

  app.get('/api/health', requireRole(...ANY_ROLE), (c) =>
    c.json({ ok: true, version: deps.version, storage: deps.storage() }),
  );
  app.get('/api/me', requireRole(...ANY_ROLE), (c) => c.json(tabletOf(c)));
  app.get('/api/observations', requireRole(...ANY_ROLE), async (c) => {
    const q = RecentQuery.safeParse(c.req.query());
    if (!q.success)
      return apiError(c, 'bad_query', 'The query is invalid.', { issues: toApiIssues(q.error.issues) });
    const damage = new DamageReport();
    const records = await deps.recentObservations(q.data.limit, damage);
    if (damage.count > 0) {
      // The readable records are the answer; the damaged ones are named beside them.
      c.header(DAMAGED_COUNT_HEADER, String(damage.count));
      c.header(DAMAGED_IDS_HEADER, damage.ids.slice(0, MAX_DAMAGED_IDS).join(','));
    }
    return c.json(records.map(toWireObservation));
  });
  app.get('/api/live', requireRole(...ANY_ROLE), (c) => {
    const token = c.req.header('authorization') ?? '';
    return liveChannel(c, deps.journal, {
      hello: () => ({
        version: deps.version,
        instruments: deps.api.instruments.list(),
        storage: deps.storage(),
      }),
      stillAuthorized: async () => {
        const t = bearerToken(token);
        return t !== undefined && (await deps.tokens.verify(t)).ok;
      },
      heartbeatMs: deps.heartbeatMs ?? 15_000,
    });
  });
  app.route('/api', linkRoutes(deps.link));
  app.route('/api', fhirRoutes(deps.fhir));
  app.route('/api', createApi(deps.api));
  app.all('/api/*', (c) => apiError(c, 'not_found', 'No such API path.'));

  app.use('/*', serveStatic({ root: deps.staticRoot }));
  app.get('*', serveStatic({ root: deps.staticRoot, path: 'index.html' }));
  // Store refusals a handler did not catch still answer in the shared format.
  app.onError((err, c) => {
    // A body cut off at its limit while a route read it (a chunked upload past the ceiling).
    const tooLarge = bodyTooLargeIn(err);
    if (tooLarge) return bodyTooLarge(c, tooLarge.limit);
    // The tablet API's refusals and store errors, in its mapping (runtime/http/api/errors.ts).
    if (err instanceof ApiError || (isStoreError(err) && c.req.path.startsWith('/api/')))
      return errorResponse(c, err);
    if (isStoreError(err, 'not_found')) return apiError(c, 'not_found', err.message);
    if (isStoreError(err, 'invalid_record')) return apiError(c, 'invalid_body', err.message);
    return apiError(c, 'internal', err.message);
  });
  return app;
}
