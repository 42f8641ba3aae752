import type {
  WireAttachment,
  WireConsultation,
  WireConsultationChange,
  WireEntry,
  WireVisitChange,
  WireVisitView,
} from '../../../../runtime/http/api/wire-types.ts';
import type { WireObservation } from '../../../../runtime/http/wire.ts';
import { codeManualMeasure, type ManualMeasure } from '../../../shared/manual-measure.ts';
import type { QueueItem } from '../db/schema.ts';
import type { Sending } from '../net/sender.ts';

/** Where an entry shown in the visit is: stored on the kit, still on this tablet, or refused. */
export type EntryPlace = 'kit' | 'tablet' | 'refused';

/** One line of the visit journal as the screen shows it. */
export interface DisplayEntry {
  readonly key: string;
  readonly clientId: string;
  readonly kind: WireEntry['kind'];
  readonly text: string | null;
  readonly observation: WireObservation | null;
  readonly attachment: WireAttachment | null;
  readonly consultation: WireConsultation | null;
  readonly author: string | null;
  readonly enteredAt: string;
  readonly place: EntryPlace;
  readonly progress: number | null;
  readonly error: string | null;
}

/** Adds an entry the kit stored (from an answer or a live event) unless the view has it. */
export function mergeEntry(view: WireVisitView, entry: WireEntry): WireVisitView {
  if (entry.visitId !== view.visit.id) return view;
  if (view.entries.some((e) => e.id === entry.id || e.clientId === entry.clientId)) return view;
  return { ...view, entries: [...view.entries, entry] };
}

/** Applies a live change to the open visit (other visits' changes leave it as it is). */
export function applyVisitChange(view: WireVisitView, change: WireVisitChange): WireVisitView {
  if (change.visitId !== view.visit.id) return view;
  return change.kind === 'entry' ? mergeEntry(view, change.entry) : { ...view, visit: change.visit };
}

/**
 * Applies a consultation's news to the open visit: its new delivery state, or a specialist's
 * answer (once, by id). Other visits' news leaves the view as it is.
 */
export function applyConsultationChange(view: WireVisitView, change: WireConsultationChange): WireVisitView {
  if (change.visitId !== view.visit.id) return view;
  if (change.kind === 'answer')
    return view.answers.some((a) => a.id === change.answer.id)
      ? view
      : { ...view, answers: [...view.answers, change.answer] };
  if (!view.entries.some((e) => e.consultation?.id === change.consultationId)) return view;
  return {
    ...view,
    entries: view.entries.map((e) =>
      e.consultation?.id === change.consultationId
        ? { ...e, consultation: { ...e.consultation, delivery: change.delivery } }
        : e,
    ),
  };
}

/** The observation a manual entry will be, shown while it is still on the tablet. */
export function localObservation(item: QueueItem): WireObservation | null {
  const body = item.body as { kind?: string; measure?: ManualMeasure; enteredAt: string };
  if (item.kind === 'entry' && body.kind === 'keep') return item.observation ?? null;
  if (item.kind !== 'entry' || body.kind !== 'manual' || !body.measure) return null;
  const q = codeManualMeasure(body.measure);
  return {
    id: `local:${item.clientId}`,
    loinc: q.loinc,
    display: q.display,
    mdc: null,
    value: q.value,
    unit: q.unit,
    precision: q.precision,
    absentReason: null,
    components: [],
    status: 'final',
    effectiveAt: body.enteredAt,
    recordedAt: body.enteredAt,
    deviceId: 'tablet',
    deviceName: null,
    visitId: item.visitId,
  };
}

function fromKit(e: WireEntry): DisplayEntry {
  return { ...e, key: e.id, place: 'kit', progress: null, error: null };
}

function fromTablet(item: QueueItem, sending: Sending | null): DisplayEntry {
  const body = item.body as { kind?: WireEntry['kind']; text?: string; enteredAt: string };
  const kind: WireEntry['kind'] =
    item.kind === 'entry'
      ? (body.kind ?? 'note')
      : item.kind === 'attachment'
        ? 'attachment'
        : 'consultation';
  return {
    key: `local:${item.clientId}`,
    clientId: item.clientId,
    kind,
    text:
      body.text ??
      (item.kind === 'consultation' ? ((item.body as { question?: string }).question ?? null) : null),
    observation: localObservation(item),
    attachment: null,
    consultation: null,
    author: null,
    enteredAt: body.enteredAt,
    place: item.state === 'refused' ? 'refused' : 'tablet',
    progress: sending?.clientId === item.clientId ? sending.progress : null,
    error: item.error ? `${item.error.code}: ${item.error.message}` : null,
  };
}

/**
 * The journal as shown: what the kit stored, then what is still on this tablet (or refused),
 * each exactly once: an item the kit already holds (same client id) is shown from the kit.
 */
export function displayEntries(
  view: WireVisitView,
  queue: readonly QueueItem[],
  sending: Sending | null,
): DisplayEntry[] {
  const onKit = new Set(view.entries.map((e) => e.clientId));
  const local = queue
    .filter(
      (i) =>
        i.visitId === view.visit.id && i.kind !== 'close' && i.state !== 'sent' && !onKit.has(i.clientId),
    )
    .map((i) => fromTablet(i, sending));
  return [...view.entries.map(fromKit), ...local];
}

/** The readings of the visit (kept and manual, on the kit or on the tablet), for NEWS2. */
export function visitObservations(entries: readonly DisplayEntry[]): WireObservation[] {
  return entries.flatMap((e) => (e.observation && e.place !== 'refused' ? [e.observation] : []));
}

/** The latest complaints text of the visit. */
export function currentComplaints(entries: readonly DisplayEntry[]): string {
  let text = '';
  for (const e of entries) if (e.kind === 'complaints' && e.place !== 'refused') text = e.text ?? '';
  return text;
}
