import { detectDelimiter, parseCsv } from './csv.ts';
import { decodeText, type TextEncodingName } from './encoding.ts';
import {
  ImportFileError,
  type EntryIssue,
  type ParsedPatients,
  type PatientCandidate,
} from './import-types.ts';
import { normalisePatient, type RawPatient } from './normalise.ts';

/** The columns of the patient-list CSV, each with the header names it is known by. */
export const CSV_COLUMNS = {
  familyName: { required: true, names: ['фамилия', 'family_name', 'familyname', 'family'] },
  givenName: { required: true, names: ['имя', 'given_name', 'givenname', 'given'] },
  middleName: { required: false, names: ['отчество', 'middle_name', 'middlename', 'patronymic'] },
  birthDate: { required: true, names: ['дата_рождения', 'др', 'birth_date', 'birthdate'] },
  sex: { required: true, names: ['пол', 'sex', 'gender'] },
  snils: { required: true, names: ['снилс', 'snils'] },
  oms: { required: true, names: ['полис_омс', 'омс', 'enp', 'енп', 'oms', 'oms_policy'] },
  passport: { required: false, names: ['паспорт', 'passport'] },
  phone: { required: false, names: ['телефон', 'phone'] },
  address: { required: false, names: ['адрес', 'address'] },
} as const;

type Column = keyof typeof CSV_COLUMNS;

/** A header cell as compared: lower case, ё as е, spaces and dashes as `_`, no BOM. */
export function headerKey(cell: string): string {
  return cell
    .replace(/^\uFEFF/, '')
    .trim()
    .toLocaleLowerCase('ru')
    .replace(/ё/g, 'е')
    .replace(/[\s-]+/g, '_');
}

function columnsOf(header: readonly string[]): Map<Column, number> {
  const found = new Map<Column, number>();
  header.forEach((cell, i) => {
    const key = headerKey(cell);
    for (const [col, def] of Object.entries(CSV_COLUMNS) as [Column, (typeof CSV_COLUMNS)[Column]][])
      if ((def.names as readonly string[]).includes(key) && !found.has(col)) found.set(col, i);
  });
  const missing = (Object.keys(CSV_COLUMNS) as Column[]).filter(
    (c) => CSV_COLUMNS[c].required && !found.has(c),
  );
  if (missing.length > 0)
    throw new ImportFileError(
      'missing_columns',
      `the CSV header lacks ${missing.map((c) => `'${CSV_COLUMNS[c].names[0]}'`).join(', ')} (see runtime/fhir/README.md for the header)`,
    );
  return found;
}

/**
 * A patient list as CSV (the header of runtime/fhir/README.md, in UTF-8 or Windows-1251, `;`,
 * `,` or tab separated) into checked candidates, one per row; a row with the wrong number of
 * fields or a bad value is an issue naming its line.
 */
export function csvPatients(bytes: Uint8Array, encoding?: TextEncodingName): ParsedPatients {
  const decoded = decodeText(bytes, encoding);
  const firstLine = decoded.text.slice(0, decoded.text.search(/\r?\n|$/));
  const delimiter = detectDelimiter(firstLine);
  const rows = parseCsv(decoded.text, delimiter);
  const header = rows.shift();
  if (!header) throw new ImportFileError('empty', 'the CSV has no header');
  const cols = columnsOf(header.fields);
  const candidates: PatientCandidate[] = [];
  const issues: EntryIssue[] = [];
  for (const row of rows) {
    const label = `row ${row.line}`;
    if (row.fields.length !== header.fields.length) {
      issues.push({ label, message: `${row.fields.length} fields, the header has ${header.fields.length}` });
      continue;
    }
    const get = (c: Column): string | undefined => {
      const i = cols.get(c);
      return i === undefined ? undefined : row.fields[i];
    };
    const raw: RawPatient = {
      familyName: get('familyName'),
      givenName: get('givenName'),
      middleName: get('middleName'),
      birthDate: get('birthDate'),
      sex: get('sex'),
      documents: (['snils', 'oms', 'passport'] as const).map((kind) => ({ kind, number: get(kind) ?? '' })),
      phone: get('phone'),
      address: get('address'),
    };
    const result = normalisePatient(label, raw);
    if (Array.isArray(result)) issues.push(...result);
    else candidates.push(result);
  }
  const sep = delimiter === '\t' ? 'tab' : `'${delimiter}'`;
  return {
    candidates,
    issues,
    notes: [],
    format: `CSV, ${decoded.encoding}${decoded.detected ? ' (detected)' : ''}, ${sep}-separated`,
  };
}
