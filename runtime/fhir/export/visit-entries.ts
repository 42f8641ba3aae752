import type {
  AttachmentRecord,
  ConsultationRecord,
  ObservationRecord,
  PatientRecord,
  VisitRecord,
} from '../../../store/index.ts';
import type { BundleEntry } from '../fhir-types.ts';
import type { Brigade } from './brigade.ts';
import { KIND, type MapContext } from './context.ts';
import { createEntry, matchingIdentifier } from './entries.ts';
import type { ExportSource } from './export-source.ts';
import type { InstrumentFacts } from './instrument-facts.ts';
import type { LinkAnswers } from './link-answers.ts';
import { toConclusionReport, toMessageCommunication, toSignatureProvenance } from './mappers/link-answer.ts';
import { toNews2Observation, visitNews2 } from './mappers/news2.ts';
import { toLinkServiceRequest, toServiceRequest } from './mappers/service-request.ts';
import { ECG_STRIP_MEDIA_TYPE, decodeEcgStrip } from '../../pipeline/ecg-strip-format.ts';
import { toDevice } from './mappers/device.ts';
import { toEcgObservation, toEcgProvenance } from './mappers/ecg.ts';
import { toEncounter } from './mappers/encounter.ts';
import { toDocumentReference, toMedia } from './mappers/media.ts';
import { toObservation } from './mappers/observation.ts';
import { toPatient } from './mappers/patient.ts';
import { frameKey, toReadingProvenance } from './mappers/reading-provenance.ts';

/** One entry to write, with the attachment bytes to stream into it, if any. */
export interface PendingEntry {
  readonly entry: BundleEntry;
  readonly blob?: { readonly source: AsyncIterable<Uint8Array>; readonly size: number };
}

/** What stays known across the visits of one export: resources shared by visits go in once. */
export interface ExportState {
  readonly patients: Set<string>;
  readonly devices: Set<string>;
  /** Ids of records that could not be read (damaged), reported at the end. */
  readonly damaged: string[];
  /** Attachments this build cannot export (waveform blobs of a format it does not know). */
  skippedAttachments: number;
  /** The link's consultations and specialists' answers, by visit. */
  readonly links: LinkAnswers;
}

/** Readings entered by hand on the tablet: no instrument, so no Device. */
const MANUAL_CODEC = 'manual-entry';
const byInstrument = (o: ObservationRecord): boolean => o.provenance.codec !== MANUAL_CODEC;

/** Everything a visit contributes, in the order a reader expects. */
export async function* visitEntries(
  visit: VisitRecord,
  source: ExportSource,
  ctx: MapContext,
  state: ExportState,
  brigade: Brigade | undefined,
): AsyncGenerator<PendingEntry> {
  const onDamaged = (e: { recordId?: string | undefined; message: string }): void => {
    state.damaged.push(e.recordId ?? e.message);
  };
  if (visit.patientId !== null && !state.patients.has(visit.patientId)) {
    state.patients.add(visit.patientId);
    yield patientEntry(await source.getPatient(visit.patientId), ctx);
  }
  const observations = await source.observationsByVisit(visit.id, { onDamaged });
  yield* deviceEntries(observations, ctx, state);
  yield {
    entry: createEntry(
      ctx.names.fullUrl(KIND.visit, visit.id),
      toEncounter(visit, ctx, {
        members: brigade?.members.filter((m) => m.role !== 'driver').map((m) => m.id) ?? [],
        organization: brigade?.organization !== undefined,
      }),
      ctx.names.identifier(KIND.visit, visit.id),
    ),
  };
  yield* observationEntries(observations, ctx);
  const news2 = visitNews2(observations);
  if (news2)
    yield {
      entry: createEntry(
        ctx.names.fullUrl(KIND.news2, visit.id),
        toNews2Observation(visit, news2, ctx),
        ctx.names.identifier(KIND.news2, visit.id),
      ),
    };
  const inBundle = { observation: new Set(observations.map((o) => o.id)), attachment: new Set<string>() };
  const attachments = await source.attachmentsByVisit(visit.id, { onDamaged });
  for (const a of attachments) {
    if (a.kind === 'ecg' && a.mediaType === ECG_STRIP_MEDIA_TYPE) {
      for await (const e of ecgEntries(a, source, ctx, state)) {
        if (e.entry.resource.resourceType === 'Observation') inBundle.attachment.add(a.id);
        yield e;
      }
      continue;
    }
    const entry = attachmentEntry(a, ctx);
    if (!entry) {
      state.skippedAttachments++;
      continue;
    }
    inBundle.attachment.add(a.id);
    yield { entry, blob: { source: source.readBlob(a.id), size: a.size } };
  }
  const has = (kind: 'observation' | 'attachment', id: string): boolean => inBundle[kind].has(id);
  for (const c of await source.consultationsByVisit(visit.id, { onDamaged }))
    yield consultationEntry(c, ctx, has);
  yield* linkEntries(visit, source, ctx, state, has);
}

function consultationEntry(
  c: ConsultationRecord,
  ctx: MapContext,
  has: (kind: 'observation' | 'attachment', id: string) => boolean,
): PendingEntry {
  return {
    entry: createEntry(
      ctx.names.fullUrl(KIND.consultation, c.id),
      toServiceRequest(c, ctx, has),
      ctx.names.identifier(KIND.consultation, c.id),
    ),
  };
}

/**
 * The link's part of a visit: the consultations sent to specialists (ServiceRequest), their
 * messages (Communication) and signed conclusions (DiagnosticReport and the Provenance carrying
 * the signature).
 */
async function* linkEntries(
  visit: VisitRecord,
  _source: ExportSource,
  ctx: MapContext,
  state: ExportState,
  has: (kind: 'observation' | 'attachment', id: string) => boolean,
): AsyncGenerator<PendingEntry> {
  const items = state.links.forVisit(visit.id);
  const sent = new Set<string>();
  for (const c of items.consultations) {
    sent.add(c.itemId);
    yield {
      entry: createEntry(
        ctx.names.fullUrl(KIND.consultation, c.itemId),
        toLinkServiceRequest(c, visit, ctx, has),
        ctx.names.identifier(KIND.consultation, c.itemId),
      ),
    };
  }
  for (const envelopeId of items.answers) {
    const a = await state.links.answer(envelopeId);
    if (!a) {
      state.damaged.push(`link answer ${envelopeId}`);
      continue;
    }
    const place = {
      visitId: visit.id,
      patientId: visit.patientId,
      ...(a.ref !== null && sent.has(a.ref) ? { basedOn: a.ref } : {}),
      inBundle: has,
    };
    if (a.answer.kind === 'message') {
      yield {
        entry: createEntry(
          ctx.names.fullUrl(KIND.message, a.itemId),
          toMessageCommunication(a, place, ctx),
          ctx.names.identifier(KIND.message, a.itemId),
        ),
      };
      continue;
    }
    yield {
      entry: createEntry(
        ctx.names.fullUrl(KIND.conclusion, a.itemId),
        toConclusionReport(a, place, ctx),
        ctx.names.identifier(KIND.conclusion, a.itemId),
      ),
    };
    yield {
      entry: createEntry(
        ctx.names.fullUrl(KIND.provenance, `signature:${a.itemId}`),
        toSignatureProvenance(a, ctx),
      ),
    };
  }
}

function patientEntry(p: PatientRecord, ctx: MapContext): PendingEntry {
  const resource = toPatient(p, ctx);
  const systems = {
    snils: ctx.profile.documents.find((d) => d.kind === 'snils')?.system,
    oms: ctx.profile.documents.find((d) => d.kind === 'oms')?.system,
  };
  return {
    entry: createEntry(
      ctx.names.fullUrl(KIND.patient, p.id),
      resource,
      matchingIdentifier(resource.identifier ?? [], systems),
    ),
  };
}

function* deviceEntries(
  observations: readonly ObservationRecord[],
  ctx: MapContext,
  state: ExportState,
): Generator<PendingEntry> {
  for (const o of observations) {
    const p = o.provenance;
    if (!byInstrument(o) || state.devices.has(p.deviceId)) continue;
    state.devices.add(p.deviceId);
    const facts: InstrumentFacts = { deviceId: p.deviceId, name: p.deviceName, codec: p.codec };
    yield {
      entry: createEntry(
        ctx.names.fullUrl(KIND.device, p.deviceId),
        toDevice(facts, ctx),
        ctx.names.identifier(KIND.device, p.deviceId),
      ),
    };
  }
}

function* observationEntries(
  observations: readonly ObservationRecord[],
  ctx: MapContext,
): Generator<PendingEntry> {
  const frames = new Map<string, ObservationRecord[]>();
  for (const o of observations) {
    yield {
      entry: createEntry(
        ctx.names.fullUrl(KIND.observation, o.id),
        toObservation(o, ctx, byInstrument(o)),
        ctx.names.identifier(KIND.observation, o.id),
      ),
    };
    const key = frameKey(o);
    const group = frames.get(key);
    if (group) group.push(o);
    else frames.set(key, [o]);
  }
  for (const group of frames.values())
    yield {
      entry: createEntry(
        ctx.names.fullUrl(KIND.provenance, group[0]!.id),
        toReadingProvenance(group, ctx, byInstrument(group[0]!)),
      ),
    };
}

function attachmentEntry(a: AttachmentRecord, ctx: MapContext): BundleEntry | undefined {
  const fullUrl = ctx.names.fullUrl(KIND.attachment, a.id);
  const match = ctx.names.identifier(KIND.attachment, a.id);
  if (a.kind === 'photo' || a.kind === 'voice')
    return createEntry(fullUrl, toMedia({ ...a, kind: a.kind }, ctx), match);
  if (a.kind === 'document' || a.kind === 'other')
    return createEntry(fullUrl, toDocumentReference(a, ctx), match);
  return undefined;
}

async function blobBytes(source: ExportSource, id: string): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const p of source.readBlob(id)) parts.push(p);
  return Buffer.concat(parts);
}

/**
 * A stored ECG strip: its instrument (once per export), the strip as an Observation with
 * SampledData, and its Provenance. A strip whose bytes cannot be read or decoded is reported
 * with the damaged records, never exported half.
 */
async function* ecgEntries(
  a: AttachmentRecord,
  source: ExportSource,
  ctx: MapContext,
  state: ExportState,
): AsyncGenerator<PendingEntry> {
  let stored: Uint8Array;
  let strip;
  try {
    stored = await blobBytes(source, a.id);
    strip = decodeEcgStrip(stored);
  } catch (error) {
    state.damaged.push(`${a.id}: ${(error as Error).message}`);
    return;
  }
  if (!state.devices.has(strip.device.id)) {
    state.devices.add(strip.device.id);
    const facts: InstrumentFacts = { deviceId: strip.device.id, name: strip.device.name, codec: strip.codec };
    yield {
      entry: createEntry(
        ctx.names.fullUrl(KIND.device, strip.device.id),
        toDevice(facts, ctx),
        ctx.names.identifier(KIND.device, strip.device.id),
      ),
    };
  }
  yield {
    entry: createEntry(
      ctx.names.fullUrl(KIND.attachment, a.id),
      toEcgObservation(a, strip, ctx),
      ctx.names.identifier(KIND.attachment, a.id),
    ),
  };
  yield {
    entry: createEntry(ctx.names.fullUrl(KIND.provenance, a.id), toEcgProvenance(a, strip, stored, ctx)),
  };
}
