import { describe, expect, it } from 'vitest';
import { enrolmentCode, orgCheck, readEnrolmentCode } from './enrol-check.ts';

const key = (fill: number) => new Uint8Array(32).fill(fill);

describe('the organisation check of an enrolment code', () => {
  it('is 16 unambiguous characters, the same for the same key and different for another', async () => {
    const a = await orgCheck(key(1));
    expect(a).toMatch(/^[2-9A-HJKMNP-Z]{16}$/);
    expect(await orgCheck(key(1))).toBe(a);
    expect(await orgCheck(key(2))).not.toBe(a);
    // One changed bit of the key changes the check.
    const flipped = key(1);
    flipped[31] = 0;
    expect(await orgCheck(flipped)).not.toBe(a);
  });

  it('reads a full code back into the secret and the check, whatever the dashes and case', async () => {
    const code = await enrolmentCode('ABCD-EFGH-JKMN', key(7));
    expect(code).toMatch(/^(?:[2-9A-Z]{4}-){6}[2-9A-Z]{4}$/);
    const typed = readEnrolmentCode(` ${code.toLowerCase().replace(/-/g, ' ')} `);
    expect(typed).toEqual({ kind: 'full', secret: 'ABCDEFGHJKMN', check: await orgCheck(key(7)) });
  });

  it('tells a code without the check from a mistyped one', () => {
    expect(readEnrolmentCode('ABCD-EFGH-JKMN')).toEqual({ kind: 'secret_only', secret: 'ABCDEFGHJKMN' });
    expect(readEnrolmentCode('ABCD-EFGH-JKM')).toEqual({ kind: 'malformed' });
    expect(readEnrolmentCode('ABCD-EFGH-JKMN-0000-0000-0000-0000')).toEqual({ kind: 'malformed' });
    expect(readEnrolmentCode('A'.repeat(29))).toEqual({ kind: 'malformed' });
    expect(readEnrolmentCode('A'.repeat(100))).toEqual({ kind: 'malformed' });
  });
});
