import { Hono } from 'hono';
import { attachmentRoutes } from './attachments.ts';
import { consultationRoutes } from './consultations.ts';
import type { ApiDeps } from './deps.ts';
import { entryRoutes } from './entries.ts';
import type { ApiEnv } from './env.ts';
import { errorResponse } from './errors.ts';
import { instrumentRoutes } from './instruments.ts';
import { outboxRoutes } from './outbox.ts';
import { patientRoutes } from './patients.ts';
import { visitRoutes } from './visits.ts';

export type { ApiDeps, ApiStore, AnswerSource, DeliveryTracker } from './deps.ts';
export type { ApiEnv, TabletIdentity, TabletRole } from './env.ts';
export type { InstrumentControl } from './instrument-control.ts';
export { isUploadPath, UPLOAD_LIMITS } from './attachments.ts';

/**
 * The tablet app's API, mounted by runtime/http/app.ts under `/api`. One sub-app, so the auth
 * middleware goes in front of every route at once; every refusal is JSON with a stable code.
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
  ])
    api.route('/', routes);
  api.onError((err, c) => errorResponse(c, err));
  return api;
}
