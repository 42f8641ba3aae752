import { z } from 'zod';
import { toHex } from '../../../../crypto/bytes.ts';
import { getSodium } from '../../../../crypto/wasm-sodium.ts';
import { decodeWire } from '../../../../crypto/wire-cbor.ts';
import type { ConsultationBody, RecordRef, SentRecord } from '../../../../runtime/link/items.ts';
import { ConsultationBody as ConsultationSchema } from '../../../../runtime/link/items.ts';
import type { WireObservation } from '../../../../runtime/http/wire.ts';

const Value = {
  value: z.number().nullable(),
  unit: z.string().max(40).nullable(),
  precision: z.number().int().min(0).max(10),
  absentReason: z.string().max(100).nullable(),
};

/** A vitals record as the kit sends it (its wire observation, CBOR). */
const ObservationRecord = z.object({
  id: z.string().max(64),
  loinc: z.string().max(20),
  display: z.string().max(200),
  mdc: z.number().nullable(),
  ...Value,
  components: z
    .array(z.object({ loinc: z.string().max(20), display: z.string().max(200), ...Value }))
    .max(20),
  status: z.string().max(40),
  effectiveAt: z.string().max(40),
  recordedAt: z.string().max(40),
  deviceId: z.string().max(200),
  deviceName: z.string().max(200).nullable(),
  visitId: z.string().max(64).nullable(),
});

/** An ECG (or other waveform) strip as the kit sends it: samples at a rate, in µV. */
const WaveformRecord = z.object({
  rateHz: z.number().positive().max(10_000),
  unit: z.enum(['uV', 'arb']),
  startAt: z.string().max(40).optional(),
  lead: z.string().max(20).optional(),
  samples: z.array(z.number()).max(10_000 * 60),
});
/** See {@link WaveformRecord}. */
export type Waveform = z.infer<typeof WaveformRecord>;

/** A consultation opened for the case view. */
export interface CaseContent {
  readonly body: ConsultationBody;
  readonly observations: readonly WireObservation[];
  readonly ecg: readonly Waveform[];
  /** Records the console could not read (shown as such; still bound by the conclusion). */
  readonly unreadable: readonly string[];
  /** Every record with the SHA-256 of its exact bytes: what a conclusion binds. */
  readonly refs: readonly RecordRef[];
}

/** Why a consultation body could not be read. */
export class CaseError extends Error {
  override readonly name = 'CaseError';
}

function decodeRecord<T>(record: SentRecord, schema: z.ZodType<T>): T | undefined {
  const decoded = decodeWire(record.cbor);
  const parsed = decoded.ok ? schema.safeParse(decoded.value) : undefined;
  return parsed?.success ? parsed.data : undefined;
}

/**
 * Reads a consultation's body (schema-checked) and its records: vitals as the kit's wire
 * observations, ECG strips as waveforms; and hashes every record's exact bytes (SHA-256), the
 * references a signed conclusion binds so the kit can tell if any record differs from what it
 * sent.
 */
export async function readCase(bodyBytes: Uint8Array): Promise<CaseContent> {
  const decoded = decodeWire(bodyBytes);
  const parsed = decoded.ok ? ConsultationSchema.safeParse(decoded.value) : undefined;
  if (!parsed?.success) throw new CaseError('the consultation body does not match its schema');
  const body = parsed.data;
  const s = await getSodium();
  const observations: WireObservation[] = [];
  const ecg: Waveform[] = [];
  const unreadable: string[] = [];
  for (const r of body.records) {
    if (r.kind === 'observation') {
      const o = decodeRecord(r, ObservationRecord);
      if (o) observations.push(o);
      else unreadable.push(r.id);
    } else if (r.kind === 'ecg' || r.kind === 'waveform') {
      const w = decodeRecord(r, WaveformRecord);
      if (w) ecg.push(w);
      else unreadable.push(r.id);
    } else unreadable.push(r.id);
  }
  const refs = body.records.map((r) => ({ id: r.id, sha256: toHex(s.crypto_hash_sha256(r.cbor)) }));
  return { body, observations, ecg, unreadable, refs };
}
