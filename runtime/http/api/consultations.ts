import { Hono } from 'hono';
import { z } from 'zod';
import { ClientId } from '../../../store/index.ts';
import type { ApiDeps } from './deps.ts';
import { authorOf, type ApiEnv, canWrite } from './env.ts';
import { readJson } from './errors.ts';
import { resolveEntry } from './visit-view.ts';

/** Specialties a request can ask for (the console's queues; `other` names it in the question). */
export const SPECIALTIES = [
  'therapy',
  'cardiology',
  'neurology',
  'pulmonology',
  'pediatrics',
  'surgery',
  'traumatology',
  'endocrinology',
  'infectious',
  'obstetrics',
  'dermatology',
  'psychiatry',
  'other',
] as const;

const Ref = (prefix: string) => z.string().regex(new RegExp(`^${prefix}-[0-9a-f]{16}$`));

/** A consultation request as the composer sends it. */
export const ConsultationBody = z.object({
  clientId: ClientId,
  enteredAt: z.string().datetime({ offset: true }),
  question: z.string().trim().min(1).max(5000),
  specialty: z.enum(SPECIALTIES),
  urgency: z.enum(['urgent', 'routine']),
  observationIds: z.array(Ref('o')).max(200).default([]),
  attachmentIds: z.array(Ref('a')).max(50).default([]),
  news2Total: z.number().int().min(0).max(20).nullable().default(null),
});

/**
 * The consultation request: stored and queued on the kit's outbox (urgent first) in one commit,
 * once per client id. The patient is the visit's, never the tablet's word.
 */
export function consultationRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>();

  r.post('/visits/:id/consultations', canWrite, async (c) => {
    const visitId = c.req.param('id');
    const body = await readJson(c, ConsultationBody);
    const visit = await deps.store.getVisit(visitId);
    const write = await deps.store.createConsultation({
      ...body,
      visitId,
      patientId: visit.patientId,
      author: authorOf(c),
    });
    const entry = await resolveEntry(deps, write.entry);
    if (write.created) deps.bus.publish({ type: 'visit', change: { kind: 'entry', visitId, entry } });
    return c.json(entry, write.created ? 201 : 200);
  });

  return r;
}
