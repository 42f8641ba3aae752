import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toCp1251 } from '../testing/cp1251.ts';
import { CSV_HEADER } from '../testing/patient-lists.ts';
import { csvPatients } from './csv-patients.ts';
import { fhirPatients } from './fhir-patients.ts';
import { ImportFileError, type ParsedPatients } from './import-types.ts';

// The import's byte boundary: whatever a file holds, the parsers return checked candidates and
// per-entry issues, or refuse the file with an ImportFileError; never another exception. The
// seed is the run's (test/setup-seed.ts).

function outcome(parse: () => ParsedPatients): 'parsed' | 'refused' {
  try {
    const parsed = parse();
    for (const c of parsed.candidates) expect(c.input.familyName.length).toBeGreaterThan(0);
    return 'parsed';
  } catch (error) {
    if (error instanceof ImportFileError) return 'refused';
    throw error;
  }
}

const cell = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom(
    'Иванов',
    '01.02.1950',
    '1950-02-01',
    'ж',
    'м',
    '112-233-445 95',
    '7700000000000017',
    '"a;b"',
    '',
  ),
);
/** Characters Windows-1251 has (ASCII, Cyrillic, ё/Ё); others as '?'. */
const cp1251Char = (c: string): string => {
  const n = c.codePointAt(0)!;
  return n < 0x80 || (n >= 0x410 && n <= 0x44f) || n === 0x451 || n === 0x401 ? c : '?';
};
const csvRow = fc.array(cell, { minLength: 0, maxLength: 9 }).map((cells) => cells.join(';'));

describe('import parsers under arbitrary input', () => {
  it('arbitrary bytes as CSV or FHIR: parsed or refused with ImportFileError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        outcome(() => csvPatients(bytes));
        outcome(() => fhirPatients(bytes));
      }),
      { numRuns: 400 },
    );
  });

  it('CSV rows of arbitrary cells under the documented header, UTF-8 and Windows-1251', () => {
    fc.assert(
      fc.property(fc.array(csvRow, { maxLength: 12 }), fc.boolean(), (rows, cp1251) => {
        const text = [CSV_HEADER, ...rows].join('\r\n');
        const bytes = cp1251 ? toCp1251([...text].map(cp1251Char).join('')) : Buffer.from(text);
        try {
          const parsed = csvPatients(bytes);
          // Every data row is a candidate or an issue naming it: nothing vanishes silently.
          const filled = rows.filter((r) => r.trim() !== '').length;
          expect(parsed.candidates.length + parsed.issues.length).toBeGreaterThanOrEqual(Math.min(1, filled));
        } catch (error) {
          // The one whole-file refusal rows can cause: an unclosed quote, named by its line.
          if (!(error instanceof ImportFileError)) throw error;
          expect(error.message).toMatch(/^line \d+: a quoted field is never closed$/);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('JSON shaped like a Bundle with arbitrary entries: parsed or refused', () => {
    const resource = fc.oneof(
      fc.anything(),
      fc.record({
        resourceType: fc.constantFrom('Patient', 'Observation'),
        name: fc.anything(),
        identifier: fc.anything(),
        birthDate: fc.oneof(fc.string(), fc.constant('1950-02-01')),
        gender: fc.anything(),
      }),
    );
    fc.assert(
      fc.property(fc.array(fc.record({ resource }), { maxLength: 8 }), (entry) => {
        outcome(() =>
          fhirPatients(Buffer.from(JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry }))),
        );
      }),
      { numRuns: 300 },
    );
  });
});
