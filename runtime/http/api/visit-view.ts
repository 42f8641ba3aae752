import { isStoreError } from '../../../store/index.ts';
import type { VisitEntryRecord } from '../../../store/index.ts';
import type { ApiDeps } from './deps.ts';
import { toWireConsultation, toWireEntry, toWirePatient, toWireVisit } from './to-wire.ts';
import type { WireDelivery, WireEntry, WireVisitView } from './wire-types.ts';

/** Until the link exists, everything queued is on the kit, waiting for it. */
const WAITING_FOR_LINK: WireDelivery = { state: 'stored', progress: null, linkPresent: false, since: null };

/** Where an outbox item is: the link's word when it exists, else "stored, waiting for the link". */
export function deliveryOf(deps: ApiDeps, outboxId: string): WireDelivery {
  return deps.delivery?.delivery(outboxId) ?? WAITING_FOR_LINK;
}

/** Reads what an entry refers to; a damaged or missing target is reported, never fatal. */
export async function resolveEntry(
  deps: ApiDeps,
  e: VisitEntryRecord,
  damaged: string[] = [],
): Promise<WireEntry> {
  const guard = async <T>(id: string | undefined, read: (id: string) => Promise<T>): Promise<T | null> => {
    if (id === undefined) return null;
    try {
      return await read(id);
    } catch (error) {
      if (!isStoreError(error)) throw error;
      damaged.push(id);
      return null;
    }
  };
  const observation = await guard(e.observationId, (id) => deps.store.getObservation(id));
  const attachment = await guard(e.attachmentId, (id) => deps.store.getAttachment(id));
  const consultation = await guard(e.consultationId, async (id) => {
    const c = await deps.store.getConsultation(id);
    return toWireConsultation(c, deliveryOf(deps, c.outboxId));
  });
  return toWireEntry(e, { observation, attachment, consultation });
}

/** The whole visit as the visit screen shows it (and as the tablet caches it for offline). */
export async function visitView(deps: ApiDeps, visitId: string): Promise<WireVisitView> {
  const visit = await deps.store.getVisit(visitId);
  const damaged: string[] = [];
  let patient = null;
  if (visit.patientId !== null) {
    try {
      patient = toWirePatient(await deps.store.getPatient(visit.patientId));
    } catch (error) {
      if (!isStoreError(error)) throw error;
      damaged.push(visit.patientId);
    }
  }
  const records = await deps.store.visitEntries(visitId, {
    onDamaged: (e) => damaged.push(e.recordId ?? '?'),
  });
  const entries: WireEntry[] = [];
  for (const e of records) entries.push(await resolveEntry(deps, e, damaged));
  const answers = deps.answers ? await deps.answers(visitId) : [];
  return { visit: toWireVisit(visit), patient, entries, answers, damaged };
}
