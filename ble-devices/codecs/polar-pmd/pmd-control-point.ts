import { defineCodec, type JsonObject } from '../codec.ts';
import { ByteReader, ByteWriter } from '../cursor.ts';
import { CodecError } from '../errors.ts';
import { readPmdSettings, settingsJson, writePmdSettings, type PmdSettings } from './pmd-settings.ts';
import {
  PMD_MEASUREMENT_MASK,
  PMD_ONLINE_MEASUREMENT_STOPPED,
  PMD_OP,
  PMD_RESPONSE_CODE,
  measurementName,
  opName,
  statusName,
  type PmdOpName,
} from './pmd-tables.ts';

/** Bit 7 of the request's type byte asks for an offline (on-device) recording instead of a stream. */
const OFFLINE_BIT = 0x80;
/** A control-point value fits one ATT write/indication. */
const MAX_CP_BYTES = 512;

/**
 * A request the kit writes to the PMD control point: `op, type byte [, settings TLV]`
 * (`BlePMDClient.querySettings/startMeasurement/stopMeasurement`). Settings only with `start`.
 */
export interface PmdRequest {
  readonly op: PmdOpName;
  /** Measurement id, 0-63 (ECG = 0). */
  readonly measurementType: number;
  readonly recording: 'online' | 'offline';
  readonly settings: PmdSettings;
}

const REQ = 'pmd_control_point_request';

/** Codec for control-point requests (the kit encodes, the simulator decodes). */
export const pmdRequest = defineCodec<PmdRequest>({
  name: REQ,
  version: '1.0.0',
  uuid: null,
  maxBytes: MAX_CP_BYTES,
  decode(bytes) {
    const r = new ByteReader(bytes, REQ);
    const code = r.u8('op');
    const op = opName(code);
    if (!op) throw new CodecError('invalid_value', REQ, 'op', 0, `op code ${code} is not one the kit speaks`);
    const typeByte = r.u8('measurement_type');
    if ((typeByte & 0x40) !== 0)
      throw new CodecError('invalid_value', REQ, 'measurement_type', 1, 'bit 6 set');
    const settings = readPmdSettings(r);
    if (op !== 'request_measurement_start' && settings.length > 0) {
      throw new CodecError('trailing_bytes', REQ, 'settings', 2, `${op} takes no settings`);
    }
    return {
      op,
      measurementType: typeByte & PMD_MEASUREMENT_MASK,
      recording: typeByte & OFFLINE_BIT ? 'offline' : 'online',
      settings,
    };
  },
  encode(m) {
    const w = new ByteWriter(REQ);
    if (m.op !== 'request_measurement_start' && m.settings.length > 0) {
      throw new CodecError('invalid_value', REQ, 'settings', 2, `${m.op} takes no settings`);
    }
    if (
      !Number.isInteger(m.measurementType) ||
      m.measurementType < 0 ||
      m.measurementType > PMD_MEASUREMENT_MASK
    ) {
      throw new CodecError(
        'invalid_value',
        REQ,
        'measurement_type',
        1,
        `${m.measurementType} is outside 0..63`,
      );
    }
    w.u8(PMD_OP[m.op], 'op').u8(
      m.measurementType | (m.recording === 'offline' ? OFFLINE_BIT : 0),
      'measurement_type',
    );
    writePmdSettings(w, m.settings);
    return w.finish();
  },
  toJson(m) {
    return {
      op: m.op,
      measurement: measurementName(m.measurementType),
      recording: m.recording,
      settings: settingsJson(m.settings),
    };
  },
});

/**
 * What the control point indicates back (`PmdControlPointResponse.kt`): a response to the last
 * request (`F0 op type status more params...`) or the service's own "online measurement stopped"
 * message (`01 type...`). `more: null` when the frame ends after the status byte (the SDK reads
 * that as "no more"). Parameters are kept for any status so the bytes re-encode exactly; the
 * SDK ignores them unless the status is success.
 */
export type PmdResponse =
  | {
      readonly kind: 'response';
      readonly op: number;
      /** The type byte as echoed (recording bits included). */
      readonly measurementType: number;
      readonly status: number;
      readonly more: boolean | null;
      readonly parameters: readonly number[];
    }
  | { readonly kind: 'measurement_stopped'; readonly measurementTypes: readonly number[] };

const RES = 'pmd_control_point_response';

/** Codec for control-point indications. */
export const pmdResponse = defineCodec<PmdResponse>({
  name: RES,
  version: '1.0.0',
  uuid: null,
  maxBytes: MAX_CP_BYTES,
  decode(bytes) {
    const r = new ByteReader(bytes, RES);
    const first = r.u8('response_code');
    if (first === PMD_ONLINE_MEASUREMENT_STOPPED) {
      return {
        kind: 'measurement_stopped',
        measurementTypes: [...r.slice(r.remaining, 'measurement_types')],
      };
    }
    if (first !== PMD_RESPONSE_CODE) {
      throw new CodecError('invalid_value', RES, 'response_code', 0, `expected 0xF0 or 0x01, got ${first}`);
    }
    const op = r.u8('op');
    const measurementType = r.u8('measurement_type');
    const status = r.u8('status');
    if (r.remaining === 0)
      return { kind: 'response', op, measurementType, status, more: null, parameters: [] };
    const moreByte = r.u8('more');
    if (moreByte > 1)
      throw new CodecError('invalid_value', RES, 'more', 4, `expected 0 or 1, got ${moreByte}`);
    return {
      kind: 'response',
      op,
      measurementType,
      status,
      more: moreByte === 1,
      parameters: [...r.slice(r.remaining, 'parameters')],
    };
  },
  encode(m) {
    const w = new ByteWriter(RES);
    if (m.kind === 'measurement_stopped') {
      w.u8(PMD_ONLINE_MEASUREMENT_STOPPED, 'response_code');
      m.measurementTypes.forEach((t, i) => w.u8(t, `measurement_types[${i}]`));
      return w.finish();
    }
    w.u8(PMD_RESPONSE_CODE, 'response_code').u8(m.op, 'op').u8(m.measurementType, 'measurement_type');
    w.u8(m.status, 'status');
    if (m.more === null) {
      if (m.parameters.length > 0)
        throw new CodecError('invalid_value', RES, 'more', 4, 'parameters need the more byte');
      return w.finish();
    }
    w.u8(m.more ? 1 : 0, 'more');
    m.parameters.forEach((b, i) => w.u8(b, `parameters[${i}]`));
    return w.finish();
  },
  toJson(m): JsonObject {
    if (m.kind === 'measurement_stopped') {
      return {
        kind: m.kind,
        measurements: m.measurementTypes.map((t) => measurementName(t & PMD_MEASUREMENT_MASK)),
      };
    }
    return {
      kind: m.kind,
      op: opName(m.op) ?? `op_${m.op}`,
      measurement: measurementName(m.measurementType & PMD_MEASUREMENT_MASK),
      status: statusName(m.status),
      more: m.more ?? false,
      parameters: m.parameters.map((b) => b.toString(16).padStart(2, '0')).join(' '),
    };
  },
});

/** Parses the parameters of a successful settings query into the settings TLV. */
export function responseSettings(parameters: readonly number[]): PmdSettings {
  return readPmdSettings(new ByteReader(Uint8Array.from(parameters), 'pmd_settings'));
}

/** Encodes settings as response parameters (the simulator's settings answer). */
export function settingsParameters(settings: PmdSettings): number[] {
  const w = new ByteWriter('pmd_settings');
  writePmdSettings(w, settings);
  return [...w.finish()];
}
