import type { NameTable } from './tables.ts';

/** RACP op codes (DEVICES.md 5.4; 0x07/0x08 are the newer combined report). */
export const RACP_OP_CODES: NameTable = [
  undefined,
  'report_stored_records',
  'delete_stored_records',
  'abort_operation',
  'report_number_of_stored_records',
  'number_of_stored_records_response',
  'response_code',
  'combined_report',
  'combined_report_response',
];

/** RACP operators. */
export const RACP_OPERATORS: NameTable = [
  'null',
  'all_records',
  'less_than_or_equal',
  'greater_than_or_equal',
  'within_range',
  'first_record',
  'last_record',
];

/** How many filter values each operator carries (absent = no operand at all). */
export const RACP_OPERAND_COUNT: Readonly<Record<number, number>> = { 2: 1, 3: 1, 4: 2 };

/** GLS filter types: 0x01 sequence number (uint16), 0x02 user facing time (Date Time). */
export const RACP_FILTER_TYPES: NameTable = [undefined, 'sequence_number', 'user_facing_time'];

/** Response Code values (operand of op 0x06). */
export const RACP_RESPONSE_CODES: NameTable = [
  undefined,
  'success',
  'op_code_not_supported',
  'invalid_operator',
  'operator_not_supported',
  'invalid_operand',
  'no_records_found',
  'abort_unsuccessful',
  'procedure_not_completed',
  'operand_not_supported',
  'server_busy',
];

/** Op codes a collector writes; the others arrive as indications. */
export const RACP_REQUEST_OPS: ReadonlySet<number> = new Set([1, 2, 3, 4, 7]);
