import { Hono } from 'hono';
import { attachmentRoutes } from './attachments.ts';
import { callRoutes } from './calls.ts';
import { consultationRoutes } from './consultations.ts';
import type { ApiDeps } from './deps.ts';
import { entryRoutes } from './entries.ts';
import type { ApiEnv } from './env.ts';
import { instrumentRoutes } from './instruments.ts';
import { outboxRoutes } from './outbox.ts';
import { patientRoutes } from './patients.ts';
import { visitRoutes } from './visits.ts';

export type { ApiDeps, ApiStore, AnswerSource, DeliveryTracker } from './deps.ts';
export type { ApiEnv, TabletIdentity, TabletRole } from './env.ts';
export type { InstrumentControl } from './instrument-control.ts';
export { isUploadPath, UPLOAD_LIMITS } from './attachments.ts';
export { errorResponse } from './errors.ts';

/**
 * The tablet app's API, mounted by runtime/http/app.ts under `/api` behind its authentication;
 * every route declares its roles. Errors go to the mounting app's `onError`, which answers them
 * with {@link errorResponse} (no handler here: Hono would wrap every route to apply it, hiding
 * the routes' role guards from the router-wide auth test).
 */
export function createApi(deps: ApiDeps): Hono<ApiEnv> {
  const api = new Hono<ApiEnv>();
  for (const routes of [
    patientRoutes(deps),
    visitRoutes(deps),
    entryRoutes(deps),
    attachmentRoutes(deps),
    consultationRoutes(deps),
    outboxRoutes(deps),
    instrumentRoutes(deps),
    callRoutes(deps),
  ])
    api.route('/', routes);
  return api;
}
