import { describe, expect, it } from 'vitest';
import type { JsonObject } from './codec.ts';
import { CodecError } from './errors.ts';
import { recordAccessControlPoint as racp } from './racp.ts';
import { parseHex } from './registry.ts';

const decode = (hex: string) => racp.toJson(racp.decode(parseHex(hex)));
const encode = (json: JsonObject) => Buffer.from(racp.encode(racp.fromJson!(json))).toString('hex');

describe('RACP codes the profile does not define keep their number', () => {
  it('in a response to an unknown op code, and back to the same bytes', () => {
    const json = decode('06 00 0C 02');
    expect(json).toMatchObject({ request_opcode: '0x0C', response_code: 'op_code_not_supported' });
    expect(encode(json)).toBe('06000c02');
  });

  it('for an unknown response code and an unknown operator', () => {
    expect(decode('06 00 01 0B')).toMatchObject({ response_code: '0x0B', response_code_raw: 11 });
    expect(decode('01 0A')).toEqual({ opcode: 'report_stored_records', operator: '0x0A' });
    expect(encode({ opcode: 'report_stored_records', operator: '0x0A' })).toBe('010a');
    expect(encode({ opcode: '0x01', operator: 10 })).toBe('010a');
  });

  it('builds a request from names, as a collector writes it', () => {
    expect(
      encode({
        opcode: 'report_stored_records',
        operator: 'within_range',
        filter_type: 'sequence_number',
        params: [5, 10],
      }),
    ).toBe('01040105000a00');
  });

  it('refuses a name it does not know, or a number that is not an octet, with a typed error', () => {
    const bad: JsonObject[] = [
      { opcode: 'report_everything', operator: 'all_records' },
      { opcode: '0x100', operator: 'all_records' },
      { opcode: 'report_stored_records', operator: -1 },
      { opcode: 'response_code', request_opcode: 'report_stored_records', response_code: 'reserved' },
    ];
    for (const json of bad) expect(() => racp.fromJson!(json), JSON.stringify(json)).toThrow(CodecError);
  });
});
