import type { Json, JsonObject } from './codec.ts';
import type { DateTime } from './date-time.ts';
import { CodecError } from './errors.ts';
import {
  RACP_FILTER_TYPES,
  RACP_OP_CODES,
  RACP_OPERAND_COUNT,
  RACP_OPERATORS,
  RACP_RESPONSE_CODES,
} from './racp-tables.ts';
import type { NameTable } from './tables.ts';
import type { RacpFilter, RacpMessage } from './racp.ts';

const NAME = 'record_access_control_point';

/**
 * A RACP code as JSON: its name, or its number as `"0x0C"` when the profile defines none. A code
 * the kit does not know (a newer meter's op code, a vendor response code) therefore keeps its
 * number through `fieldkit decode` and back: `"reserved"` would lose which one it was.
 */
export function racpCodeName(table: NameTable, code: number): string {
  return table[code] ?? `0x${code.toString(16).toUpperCase().padStart(2, '0')}`;
}

/** The inverse of {@link racpCodeName}: a name, a `"0x.."` string or a number, as one octet. */
function codeOf(table: NameTable, value: Json | undefined, field: string): number {
  let code: number | undefined;
  if (typeof value === 'number') code = value;
  else if (typeof value === 'string' && /^0x[0-9a-f]{1,2}$/i.test(value)) code = parseInt(value.slice(2), 16);
  else if (typeof value === 'string') {
    const i = table.indexOf(value);
    code = i >= 0 ? i : undefined;
  }
  if (code === undefined || !Number.isInteger(code) || code < 0 || code > 0xff)
    throw new CodecError(
      'invalid_value',
      NAME,
      field,
      0,
      `${JSON.stringify(value ?? null)} is not a known name or an octet ("0x0C")`,
    );
  return code;
}

/** The JSON view of one RACP value (what `fieldkit decode 2A52` prints). */
export function racpToJson(m: RacpMessage): JsonObject {
  if (m.kind === 'response_code') {
    return {
      opcode: 'response_code',
      operator: 'null',
      request_opcode: racpCodeName(RACP_OP_CODES, m.requestOpCode),
      response_code: racpCodeName(RACP_RESPONSE_CODES, m.responseCode),
      response_code_raw: m.responseCode,
    };
  }
  if (m.kind === 'count') {
    return {
      opcode: racpCodeName(RACP_OP_CODES, m.opCode),
      operator: 'null',
      number_of_records: m.count,
      number_of_records_bytes: m.countBytes,
    };
  }
  const json: JsonObject = {
    opcode: racpCodeName(RACP_OP_CODES, m.opCode),
    operator: racpCodeName(RACP_OPERATORS, m.operator),
  };
  if (m.filter) {
    json.filter_type = racpCodeName(RACP_FILTER_TYPES, m.filter.type === 'sequence_number' ? 1 : 2);
    json.params = m.filter.values.map((v): Json => (typeof v === 'number' ? v : { ...v }));
  }
  return json;
}

function dateTimeOf(v: Json, field: string): DateTime {
  const keys = ['year', 'month', 'day', 'hours', 'minutes', 'seconds'] as const;
  if (v === null || typeof v !== 'object' || Array.isArray(v) || !keys.every((k) => typeof v[k] === 'number'))
    throw new CodecError(
      'invalid_value',
      NAME,
      field,
      0,
      'expected {year, month, day, hours, minutes, seconds}',
    );
  const o = v as Record<(typeof keys)[number], number>;
  return { year: o.year, month: o.month, day: o.day, hours: o.hours, minutes: o.minutes, seconds: o.seconds };
}

function filterOf(json: JsonObject, operator: number): RacpFilter | null {
  if (RACP_OPERAND_COUNT[operator] === undefined && json.filter_type === undefined) return null;
  const type = codeOf(RACP_FILTER_TYPES, json.filter_type, 'filter_type');
  const params = json.params;
  if (!Array.isArray(params)) throw new CodecError('invalid_value', NAME, 'params', 0, 'expected an array');
  if (type === 1) {
    const values = params.map((p, i) => {
      if (typeof p !== 'number')
        throw new CodecError('invalid_value', NAME, `params[${i}]`, 0, 'expected a number');
      return p;
    });
    return { type: 'sequence_number', values };
  }
  if (type === 2)
    return { type: 'user_facing_time', values: params.map((p, i) => dateTimeOf(p, `params[${i}]`)) };
  throw new CodecError(
    'invalid_value',
    NAME,
    'filter_type',
    0,
    `unknown filter type ${racpCodeName(RACP_FILTER_TYPES, type)}`,
  );
}

/**
 * A RACP value from its JSON view, the inverse of {@link racpToJson}: names or `"0x.."` numbers
 * for every code, so a value printed by `fieldkit decode` (unknown codes included) encodes back to
 * the same bytes. Anything malformed is a typed `invalid_value`; the encoder then checks the rest.
 */
export function racpFromJson(json: JsonObject): RacpMessage {
  const opCode = codeOf(RACP_OP_CODES, json.opcode, 'op_code');
  if (opCode === 6) {
    return {
      kind: 'response_code',
      requestOpCode: codeOf(RACP_OP_CODES, json.request_opcode, 'request_op_code'),
      responseCode: codeOf(RACP_RESPONSE_CODES, json.response_code, 'response_code'),
    };
  }
  if (opCode === 5 || opCode === 8) {
    const count = json.number_of_records;
    if (typeof count !== 'number')
      throw new CodecError('invalid_value', NAME, 'number_of_records', 0, 'expected a number');
    const bytes = json.number_of_records_bytes ?? (opCode === 5 ? 2 : 4);
    if (bytes !== 1 && bytes !== 2 && bytes !== 4)
      throw new CodecError('invalid_value', NAME, 'number_of_records_bytes', 0, 'expected 1, 2 or 4');
    return { kind: 'count', opCode, count, countBytes: bytes };
  }
  const operator = codeOf(RACP_OPERATORS, json.operator, 'operator');
  return { kind: 'request', opCode, operator, filter: filterOf(json, operator) };
}
