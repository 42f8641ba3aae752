import { defineCodec, type Codec } from './codec.ts';
import { ByteReader, ByteWriter } from './cursor.ts';
import { readDateTime, writeDateTime, type DateTime } from './date-time.ts';
import { CodecError } from './errors.ts';
import { racpCodeName, racpFromJson, racpToJson } from './racp-json.ts';
import { RACP_OP_CODES, RACP_OPERAND_COUNT, RACP_REQUEST_OPS } from './racp-tables.ts';

/** A request filter: sequence numbers (uint16) or user-facing times (Date Time). */
export type RacpFilter =
  | { readonly type: 'sequence_number'; readonly values: readonly number[] }
  | { readonly type: 'user_facing_time'; readonly values: readonly DateTime[] };

/**
 * One Record Access Control Point value (0x2A52, DEVICES.md 5.4), either direction: the kit
 * writes requests, the sensor indicates counts and response codes. Op codes are raw numbers so
 * a simulator can also send the ones a real meter refuses.
 */
export type RacpMessage =
  | {
      readonly kind: 'request';
      readonly opCode: number;
      readonly operator: number;
      readonly filter: RacpFilter | null;
    }
  | { readonly kind: 'count'; readonly opCode: 5 | 8; readonly count: number; readonly countBytes: 1 | 2 | 4 }
  | { readonly kind: 'response_code'; readonly requestOpCode: number; readonly responseCode: number };

const NAME = 'record_access_control_point';

function readFilter(r: ByteReader, operator: number): RacpFilter | null {
  const count = RACP_OPERAND_COUNT[operator];
  if (count === undefined) return null;
  const at = r.offset;
  const type = r.u8('filter_type');
  if (type === 1) {
    return {
      type: 'sequence_number',
      values: Array.from({ length: count }, (_, i) => r.u16(`params[${i}]`)),
    };
  }
  if (type === 2) {
    return {
      type: 'user_facing_time',
      values: Array.from({ length: count }, (_, i) => readDateTime(r, `params[${i}]`)),
    };
  }
  throw new CodecError(
    'invalid_value',
    r.codec,
    'filter_type',
    at,
    `unknown filter type ${racpCodeName([], type)}`,
  );
}

function readCount(r: ByteReader): { count: number; countBytes: 1 | 2 | 4 } {
  if (r.remaining === 1) return { count: r.u8('number_of_records'), countBytes: 1 };
  if (r.remaining >= 4) return { count: r.u32('number_of_records'), countBytes: 4 };
  return { count: r.u16('number_of_records'), countBytes: 2 };
}

function decodeRacp(r: ByteReader): RacpMessage {
  const opCode = r.u8('op_code');
  if (RACP_OP_CODES[opCode] === undefined) {
    throw new CodecError(
      'invalid_value',
      r.codec,
      'op_code',
      0,
      `unknown op code ${racpCodeName(RACP_OP_CODES, opCode)}`,
    );
  }
  const operator = r.u8('operator');
  if (RACP_REQUEST_OPS.has(opCode))
    return { kind: 'request', opCode, operator, filter: readFilter(r, operator) };
  if (operator !== 0) {
    throw new CodecError(
      'invalid_value',
      r.codec,
      'operator',
      1,
      `responses use the null operator, got ${operator}`,
    );
  }
  if (opCode === 6) {
    return {
      kind: 'response_code',
      requestOpCode: r.u8('request_op_code'),
      responseCode: r.u8('response_code'),
    };
  }
  return { kind: 'count', opCode: opCode as 5 | 8, ...readCount(r) };
}

function encodeRacp(w: ByteWriter, m: RacpMessage): void {
  if (m.kind === 'response_code') {
    w.u8(6, 'op_code')
      .u8(0, 'operator')
      .u8(m.requestOpCode, 'request_op_code')
      .u8(m.responseCode, 'response_code');
    return;
  }
  if (m.kind === 'count') {
    w.u8(m.opCode, 'op_code').u8(0, 'operator');
    if (m.countBytes === 1) w.u8(m.count, 'number_of_records');
    else if (m.countBytes === 2) w.u16(m.count, 'number_of_records');
    else w.u32(m.count, 'number_of_records');
    return;
  }
  w.u8(m.opCode, 'op_code').u8(m.operator, 'operator');
  const count = RACP_OPERAND_COUNT[m.operator];
  if ((count === undefined) !== (m.filter === null) || (m.filter && m.filter.values.length !== count)) {
    throw new CodecError(
      'invalid_value',
      NAME,
      'params',
      w.length,
      `operator ${m.operator} needs ${count ?? 0} value(s)`,
    );
  }
  if (m.filter?.type === 'sequence_number') {
    w.u8(1, 'filter_type');
    m.filter.values.forEach((v, i) => w.u16(v, `params[${i}]`));
  } else if (m.filter?.type === 'user_facing_time') {
    w.u8(2, 'filter_type');
    m.filter.values.forEach((v, i) => writeDateTime(w, v, `params[${i}]`));
  }
}

function racpCodec(
  name: string,
  uuid: number | null,
  accept: (m: RacpMessage) => boolean,
): Codec<RacpMessage> {
  return defineCodec<RacpMessage>({
    name,
    version: '1.0.0',
    uuid,
    maxBytes: 17,
    decode(bytes) {
      const r = new ByteReader(bytes, name);
      const m = decodeRacp(r);
      r.end();
      if (!accept(m))
        throw new CodecError('invalid_value', name, 'op_code', 0, `op code not valid in this direction`);
      return m;
    },
    encode(m) {
      const w = new ByteWriter(name);
      encodeRacp(w, m);
      return w.finish();
    },
    toJson: racpToJson,
    fromJson: racpFromJson,
  });
}

/** Codec for 0x2A52 in both directions (what `fieldkit decode 2A52` uses). */
export const recordAccessControlPoint = racpCodec(NAME, 0x2a52, () => true);
/** Requests only (what the kit writes); uuid null so 0x2A52 resolves to the two-way codec. */
export const racpRequest = racpCodec('racp_request', null, (m) => m.kind === 'request');
/** Responses only (what the sensor indicates). */
export const racpResponse = racpCodec('racp_response', null, (m) => m.kind !== 'request');
