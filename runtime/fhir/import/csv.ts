import { ImportFileError } from './import-types.ts';

/** One CSV record with the line it starts on (for reports). */
export interface CsvRow {
  readonly line: number;
  readonly fields: string[];
}

/** The delimiter of a header line: the one of `;`, `,` and tab it holds most of (`;` on a tie). */
export function detectDelimiter(headerLine: string): string {
  const counts = [';', ',', '\t'].map((d) => [d, headerLine.split(d).length - 1] as const);
  const best = counts.reduce((a, b) => (b[1] > a[1] ? b : a));
  return best[1] === 0 ? ';' : best[0];
}

/**
 * RFC 4180 CSV as clinic systems write it: quoted fields with doubled quotes, newlines inside
 * quotes, CRLF or LF, a configurable delimiter (Russian Excel writes `;`). Blank lines are
 * skipped. An unterminated quote is a typed refusal naming its line.
 */
export function parseCsv(text: string, delimiter: string): CsvRow[] {
  const rows: CsvRow[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let quoteLine = 0;
  let any = false;
  const endRow = (): void => {
    fields.push(field);
    if (any || fields.length > 1 || field !== '') rows.push({ line: rowLine, fields });
    fields = [];
    field = '';
    any = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      quoteLine = line;
      any = true;
    } else if (c === delimiter) {
      fields.push(field);
      field = '';
      any = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
      rowLine = line;
    } else field += c;
  }
  if (quoted) throw new ImportFileError('bad_csv', `line ${quoteLine}: a quoted field is never closed`);
  if (field !== '' || fields.length > 0 || any) endRow();
  return rows;
}
