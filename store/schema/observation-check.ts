import { z } from 'zod';
import { DataAbsentReason, ObservationInput } from './observation.ts';
import type { ObservationCode, ObservationValue, Provenance } from './observation.ts';

type Out = z.output<typeof ObservationInput>;
type Obj = Record<string, unknown>;
/** The fields the store stamps on an accepted reading (see {@link checkObservationRecord}). */
type StampFields = { recordedAt: string; id: string };

// The one rule not restated here: zod's own ISO datetime check, reused as is.
const isoDatetime = z.string().datetime({ offset: true });
const ISO_PATTERN = checkPattern(isoDatetime);

/**
 * The regular expression behind a string schema's single format check (zod tests exactly that
 * pattern), or undefined if zod ever builds the check differently. Testing it directly costs
 * about a sixth of `safeParse` (no context, no result object), on a check made per reading.
 */
function checkPattern(schema: z.ZodString): RegExp | undefined {
  const checks = schema._zod.def.checks ?? [];
  const def = checks.length === 1 ? (checks[0]?._zod.def as { pattern?: unknown }) : undefined;
  const pattern = def?.pattern;
  return pattern instanceof RegExp && !pattern.global && !pattern.sticky ? pattern : undefined;
}

/** Whether zod's ISO datetime (with offset) check accepts `v`. */
const isIsoDatetime = (v: string): boolean =>
  ISO_PATTERN ? ISO_PATTERN.test(v) : isoDatetime.safeParse(v).success;

/** Whether observation-check reads zod's datetime pattern directly (the fast path); for tests. */
export const USES_ZOD_DATETIME_PATTERN = ISO_PATTERN !== undefined;
const LOINC = /^\d{1,7}-\d$/;
const ABSENT = new Set<string>(DataAbsentReason.options);
const STATUS = new Set<string>(ObservationInput.shape.status.options);
const CATEGORY = new Set<string>(ObservationInput.shape.category.options);

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown, min: number, max: number): v is string =>
  typeof v === 'string' && v.length >= min && v.length <= max;
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const int = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

function code(v: unknown): ObservationCode | undefined {
  if (!isObj(v)) return undefined;
  const { loinc, display, mdc } = v;
  if (typeof loinc !== 'string' || !LOINC.test(loinc) || !str(display, 1, 200)) return undefined;
  if (mdc === undefined) return 'mdc' in v ? { loinc, display, mdc } : { loinc, display };
  if (!int(mdc) || mdc < 0) return undefined;
  return { loinc, display, mdc };
}

function value(v: unknown): ObservationValue | undefined {
  if (!isObj(v)) return undefined;
  if (v.kind === 'quantity') {
    const { value: n, precision, unit } = v;
    if (!finite(n) || !int(precision) || precision < 0 || precision > 12 || !str(unit, 1, 32))
      return undefined;
    return { kind: 'quantity', value: n, precision, unit };
  }
  if (v.kind === 'absent') {
    const { reason } = v;
    if (typeof reason !== 'string' || !ABSENT.has(reason)) return undefined;
    return { kind: 'absent', reason: reason as Extract<ObservationValue, { kind: 'absent' }>['reason'] };
  }
  return undefined;
}

/** The optional clock and record-identity fields of a provenance (undefined = absent). */
const clockFieldsOk = (v: Obj): boolean => {
  const { deviceTime, serial, sequenceNumber } = v;
  if (deviceTime !== undefined && (typeof deviceTime !== 'string' || !isIsoDatetime(deviceTime)))
    return false;
  if (serial !== undefined && !str(serial, 0, 128)) return false;
  return (
    sequenceNumber === undefined || (int(sequenceNumber) && sequenceNumber >= 0 && sequenceNumber <= 0xffff)
  );
};

function provenance(v: unknown): Provenance | undefined {
  if (!isObj(v)) return undefined;
  const { deviceId, deviceName, characteristic, codec, codecVersion, raw, clockOffsetMs } = v;
  if (!str(deviceId, 1, 128) || !str(characteristic, 1, 64) || !str(codec, 1, 64)) return undefined;
  if (!str(codecVersion, 1, 32) || !(raw instanceof Uint8Array) || raw.byteLength > 4096) return undefined;
  if (deviceName !== undefined && !str(deviceName, 0, 128)) return undefined;
  if (clockOffsetMs !== undefined && !finite(clockOffsetMs)) return undefined;
  if (!clockFieldsOk(v)) return undefined;
  const out: Provenance = { deviceId, characteristic, codec, codecVersion, raw: raw as Provenance['raw'] };
  if ('deviceName' in v) out.deviceName = deviceName;
  if ('clockOffsetMs' in v) out.clockOffsetMs = clockOffsetMs;
  if ('deviceTime' in v) out.deviceTime = v.deviceTime as string | undefined;
  if ('serial' in v) out.serial = v.serial as string | undefined;
  if ('sequenceNumber' in v) out.sequenceNumber = v.sequenceNumber as number | undefined;
  return out;
}

/**
 * The observation schema's rules restated as plain code (about 10x faster than zod's parse on the
 * store's write and read paths). `ObservationInput` stays the source of truth: this returns the
 * same output (a fresh object, unknown keys dropped, `components` defaulted) for every input zod
 * accepts and undefined for every input it rejects, which observation-check.test.ts checks with
 * fast-check. Callers re-run zod on a rejection to name the failing fields. The rules live in
 * {@link checkObservationRecord}; this drops its two stamp fields.
 */
export function checkObservation(input: unknown): Out | undefined {
  const record = checkObservationRecord(input);
  if (!record) return undefined;
  const { recordedAt: _recordedAt, id: _id, ...out } = record;
  return out;
}

/**
 * {@link checkObservation}'s verdict and output, made directly as the stored record: the same
 * fields in the same order, then `recordedAt` and `id` as empty strings for the caller to fill
 * once the reading is accepted (assigned in place: no second object per reading, and the
 * record keeps one shape). The one copy of the rules: checkObservation is this without the two
 * stamp fields, and observation-check.test.ts holds both to zod.
 */
export function checkObservationRecord(input: unknown): (Out & StampFields) | undefined {
  if (!isObj(input)) return undefined;
  const { visitId, patientId, status, category, effectiveAt } = input;
  if (visitId !== null && !str(visitId, 0, 64)) return undefined;
  if (patientId !== null && !str(patientId, 0, 64)) return undefined;
  const c = code(input.code);
  if (!c) return undefined;
  let v: ObservationValue | null = null;
  if (input.value !== null) {
    const checked = value(input.value);
    if (!checked) return undefined;
    v = checked;
  }
  const components: Out['components'] = [];
  if (input.components !== undefined) {
    if (!Array.isArray(input.components) || input.components.length > 16) return undefined;
    for (const item of input.components as unknown[]) {
      if (!isObj(item)) return undefined;
      const cc = code(item.code);
      const cv = value(item.value);
      if (!cc || !cv) return undefined;
      components.push({ code: cc, value: cv });
    }
  }
  if (typeof status !== 'string' || !STATUS.has(status)) return undefined;
  if (typeof category !== 'string' || !CATEGORY.has(category)) return undefined;
  if (typeof effectiveAt !== 'string' || !isIsoDatetime(effectiveAt)) return undefined;
  const p = provenance(input.provenance);
  if (!p) return undefined;
  return {
    visitId,
    patientId,
    code: c,
    value: v,
    components,
    status: status as Out['status'],
    category: category as Out['category'],
    effectiveAt,
    provenance: p,
    recordedAt: '',
    id: '',
  };
}

const codeOk = (v: unknown): boolean => {
  if (!isObj(v)) return false;
  const { loinc, display, mdc } = v;
  if (typeof loinc !== 'string' || !LOINC.test(loinc) || !str(display, 1, 200)) return false;
  return mdc === undefined || (int(mdc) && mdc >= 0);
};

const valueOk = (v: unknown): boolean => {
  if (!isObj(v)) return false;
  if (v.kind === 'quantity') {
    const { value: n, precision, unit } = v;
    return finite(n) && int(precision) && precision >= 0 && precision <= 12 && str(unit, 1, 32);
  }
  return v.kind === 'absent' && typeof v.reason === 'string' && ABSENT.has(v.reason);
};

const provenanceOk = (v: unknown): boolean => {
  if (!isObj(v)) return false;
  const { deviceId, deviceName, characteristic, codec, codecVersion, raw, clockOffsetMs } = v;
  if (!str(deviceId, 1, 128) || !str(characteristic, 1, 64) || !str(codec, 1, 64)) return false;
  if (!str(codecVersion, 1, 32) || !(raw instanceof Uint8Array) || raw.byteLength > 4096) return false;
  if (deviceName !== undefined && !str(deviceName, 0, 128)) return false;
  return (clockOffsetMs === undefined || finite(clockOffsetMs)) && clockFieldsOk(v);
};

/**
 * The same rules as {@link checkObservation}, checked without building a new object: for the
 * read path, whose unpacked bodies are fresh objects holding exactly the schema's keys (so the
 * copy would equal its input). Besides the copy's cost, it keeps reads off the allocation sites
 * that the write path's long-lived bodies teach V8 to pretenure: read bodies allocated there went
 * straight to the old generation, dragging their young fields along at every scavenge.
 * observation-check.test.ts holds it to checkObservation's verdict on unpacked bodies.
 */
export function isObservationShape(input: Obj): boolean {
  const { visitId, patientId, status, category, effectiveAt, components } = input;
  if (visitId !== null && !str(visitId, 0, 64)) return false;
  if (patientId !== null && !str(patientId, 0, 64)) return false;
  if (!codeOk(input.code)) return false;
  if (input.value !== null && !valueOk(input.value)) return false;
  if (!Array.isArray(components) || components.length > 16) return false;
  for (const item of components as unknown[])
    if (!isObj(item) || !codeOk(item.code) || !valueOk(item.value)) return false;
  if (typeof status !== 'string' || !STATUS.has(status)) return false;
  if (typeof category !== 'string' || !CATEGORY.has(category)) return false;
  if (typeof effectiveAt !== 'string' || !isIsoDatetime(effectiveAt)) return false;
  return provenanceOk(input.provenance);
}
