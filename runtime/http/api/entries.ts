import { Hono } from 'hono';
import { z } from 'zod';
import { ClientId, MAX_ENTRY_TEXT } from '../../../store/index.ts';
import type { ApiDeps } from './deps.ts';
import { authorOf, type ApiEnv, canWrite, tabletIdOf } from './env.ts';
import { readJson } from './errors.ts';
import { ManualMeasure, manualObservation } from './manual-entries.ts';
import { resolveEntry } from './visit-view.ts';
import type { WireEntry } from './wire-types.ts';

const Common = { clientId: ClientId, enteredAt: z.string().datetime({ offset: true }) };

/** One thing entered in a visit on the tablet. */
export const EntryBody = z.discriminatedUnion('kind', [
  z.object({ ...Common, kind: z.literal('complaints'), text: z.string().max(MAX_ENTRY_TEXT) }),
  z.object({ ...Common, kind: z.literal('note'), text: z.string().trim().min(1).max(MAX_ENTRY_TEXT) }),
  z.object({ ...Common, kind: z.literal('keep'), observationId: z.string().regex(/^o-[0-9a-f]{16}$/) }),
  z.object({ ...Common, kind: z.literal('manual'), measure: ManualMeasure }),
]);

/**
 * Visit journal routes: complaints, notes, a live reading kept with one tap, manual vitals.
 * Once per client id (201 the first time, 200 for a resend, same entry); every new entry is
 * published live so other tablets on the visit see it.
 */
export function entryRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>();

  r.post('/visits/:id/entries', canWrite, async (c) => {
    const visitId = c.req.param('id');
    const body = await readJson(c, EntryBody);
    const author = authorOf(c);
    const base = { visitId, clientId: body.clientId, author, enteredAt: body.enteredAt };
    let write;
    if (body.kind === 'manual') {
      const visit = await deps.store.getVisit(visitId);
      const observation = manualObservation(body.measure, {
        visitId,
        patientId: visit.patientId,
        author,
        tabletId: tabletIdOf(c),
        enteredAt: body.enteredAt,
      });
      write = await deps.store.addVisitEntry({ ...base, kind: 'manual' }, observation);
    } else if (body.kind === 'keep') {
      write = await deps.store.addVisitEntry({ ...base, kind: 'keep', observationId: body.observationId });
    } else {
      write = await deps.store.addVisitEntry({ ...base, kind: body.kind, text: body.text });
    }
    const entry: WireEntry = await resolveEntry(deps, write.entry);
    if (write.created) deps.bus.publish({ type: 'visit', change: { kind: 'entry', visitId, entry } });
    return c.json(entry, write.created ? 201 : 200);
  });

  return r;
}
