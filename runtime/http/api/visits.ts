import { Hono } from 'hono';
import { z } from 'zod';
import { ClientId } from '../../../store/index.ts';
import type { ApiDeps } from './deps.ts';
import { type ApiEnv, canRead, canWrite } from './env.ts';
import { readJson } from './errors.ts';
import { toWireVisit } from './to-wire.ts';
import { visitView } from './visit-view.ts';

/** Opening a visit: for a patient, with an optional reason and place. */
export const OpenVisitBody = z.object({
  clientId: ClientId,
  patientId: z.string().regex(/^p-[0-9a-f]{16}$/),
  reason: z.string().trim().max(500).optional(),
  place: z.string().trim().max(300).optional(),
  openedAt: z.string().datetime({ offset: true }).optional(),
});

/** Visit routes: open (once per client id), read whole, close. */
export function visitRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>();

  r.post('/visits', canWrite, async (c) => {
    const body = await readJson(c, OpenVisitBody);
    await deps.store.getPatient(body.patientId);
    const visit = await deps.store.openVisit(
      {
        patientId: body.patientId,
        ...(body.reason ? { reason: body.reason } : {}),
        ...(body.place ? { place: body.place } : {}),
        ...(body.openedAt ? { openedAt: body.openedAt } : {}),
      },
      body.clientId,
    );
    return c.json(toWireVisit(visit), 201);
  });

  r.get('/visits/:id', canRead, async (c) => c.json(await visitView(deps, c.req.param('id'))));

  r.post('/visits/:id/close', canWrite, async (c) => {
    const visit = toWireVisit(await deps.store.closeVisit(c.req.param('id')));
    deps.bus.publish({ type: 'visit', change: { kind: 'closed', visitId: visit.id, visit } });
    return c.json(visit);
  });

  return r;
}
