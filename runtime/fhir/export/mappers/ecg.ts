import { createHash } from 'node:crypto';
import type { AttachmentRecord } from '../../../../store/index.ts';
import type { EcgStrip } from '../../../pipeline/ecg-strip-format.ts';
import type { Extension, Observation, Provenance, SampledData } from '../../fhir-types.ts';
import { KIND, type MapContext } from '../context.ts';
import { decimal } from '../fhir-json.ts';
import { SYSTEMS } from './coding.ts';
import { EXTENSIONS } from './extensions.ts';

/**
 * IEEE 11073-10101 code of the strip's lead. The kit's ECG instruments (Polar H10 and its
 * simulator) record one chest lead that is none of the standard limb or precordial leads, so the
 * lead is MDC_ECG_ELEC_POTL, "ECG lead, unspecified", as the FHIR ECG example codes such a lead.
 */
export const ECG_LEAD = { code: '131328', display: 'MDC_ECG_ELEC_POTL' } as const;

const END_NOTES: Readonly<Record<EcgStrip['endReason'], string | undefined>> = {
  complete: undefined,
  stopped: 'запись остановлена до заданной длительности',
  stalled: 'запись прервалась: сигнал пропал',
};

/**
 * The strip's samples as SampledData text: the stored µV values in order, and an `E` for every
 * sample lost on the link, so each value keeps its place in time (SampledData is positional).
 * Decoding it and dropping the `E`s gives the stored samples exactly.
 */
export function sampledDataText(strip: EcgStrip): string {
  const parts: string[] = [];
  let gap = 0;
  for (let i = 0; i <= strip.samples.length; i++) {
    for (let g = strip.gaps[gap]; g !== undefined && g.atSample === i; g = strip.gaps[++gap])
      for (let k = 0; k < g.missing; k++) parts.push('E');
    if (i < strip.samples.length) parts.push(String(strip.samples[i]));
  }
  return parts.join(' ');
}

/** The strip's span: first sample to one period after the last (lost samples counted). */
function span(strip: EcgStrip): { start: string; end: string } {
  const startMs = Number(strip.startUnixNs / 1_000_000n);
  const missing = strip.gaps.reduce((n, g) => n + g.missing, 0);
  const durationMs = ((strip.samples.length + missing) * 1000) / strip.rateHz;
  return { start: new Date(startMs).toISOString(), end: new Date(startMs + durationMs).toISOString() };
}

/**
 * A stored ECG strip as an Observation with `valueSampledData`: one lead (MDC code), the values
 * in µV exactly as the instrument sent them (origin 0 µV, factor 1), the sample period in ms,
 * lost samples as `E`, the strip's span as the effective period and the instrument as `device`.
 */
export function toEcgObservation(a: AttachmentRecord, strip: EcgStrip, ctx: MapContext): Observation {
  const valueSampledData: SampledData = {
    origin: { value: 0, unit: 'µV', system: SYSTEMS.ucum, code: 'uV' },
    period: 1000 / strip.rateHz,
    factor: 1,
    dimensions: 1,
    data: sampledDataText(strip),
  };
  const note = END_NOTES[strip.endReason];
  return {
    resourceType: 'Observation',
    identifier: [ctx.names.identifier(KIND.attachment, a.id)],
    status: 'final',
    category: [{ coding: [{ system: SYSTEMS.category, code: 'procedure', display: 'Procedure' }] }],
    code: {
      coding: [{ system: SYSTEMS.mdc, code: ECG_LEAD.code, display: ECG_LEAD.display }],
      text: `ЭКГ, одно отведение, ${strip.rateHz} Гц`,
    },
    ...(a.patientId === null ? {} : { subject: ctx.names.ref(KIND.patient, a.patientId) }),
    ...(a.visitId === null ? {} : { encounter: ctx.names.ref(KIND.visit, a.visitId) }),
    effectivePeriod: span(strip),
    issued: a.createdAt,
    device: ctx.names.ref(KIND.device, strip.device.id),
    valueSampledData,
    ...(note === undefined ? {} : { note: [{ text: note }] }),
  };
}

/**
 * Where a strip came from: the instrument, the codec and version that decoded its frames, and
 * the clock offset applied to its start. The strip's stored bytes are named by their SHA-256 (the
 * samples themselves are in the Observation; the individual notifications are not kept).
 */
export function toEcgProvenance(
  a: AttachmentRecord,
  strip: EcgStrip,
  stored: Uint8Array,
  ctx: MapContext,
): Provenance {
  const extension: Extension[] = [
    { url: EXTENSIONS.codec, valueString: strip.codec },
    { url: EXTENSIONS.codecVersion, valueString: strip.codecVersion },
    { url: EXTENSIONS.characteristic, valueString: strip.device.profile },
    {
      url: EXTENSIONS.clockOffset,
      valueQuantity: {
        value: decimal(strip.clock.offsetMs, 0),
        unit: 'ms',
        system: SYSTEMS.ucum,
        code: 'ms',
      },
    },
  ];
  return {
    resourceType: 'Provenance',
    target: [ctx.names.ref(KIND.attachment, a.id)],
    occurredPeriod: span(strip),
    recorded: a.createdAt,
    activity: {
      coding: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation',
          code: 'CREATE',
          display: 'create',
        },
      ],
    },
    agent: [
      {
        type: {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type',
              code: 'performer',
              display: 'Performer',
            },
          ],
        },
        who: ctx.names.ref(KIND.device, strip.device.id),
      },
    ],
    entity: [
      {
        role: 'source',
        what: {
          identifier: {
            system: ctx.names.system('ecg-strip'),
            value: createHash('sha256').update(stored).digest('hex'),
          },
          display: `${strip.codec} ${strip.device.profile}, ${strip.samples.length} samples`,
        },
        extension,
      },
    ],
  };
}
