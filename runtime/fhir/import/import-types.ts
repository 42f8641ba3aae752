import type { PatientInput } from '../../../store/index.ts';

/** Where an entry came from, as the report names it: `row 12` of a CSV, `entry 3` of a Bundle. */
export type EntryLabel = string;

/** One patient read from the input, checked and normalised, ready to merge. */
export interface PatientCandidate {
  readonly label: EntryLabel;
  readonly input: PatientInput & { documents: { kind: string; number: string }[] };
}

/** A problem with one entry: it will not be imported (a whole-file problem has label `file`). */
export interface EntryIssue {
  readonly label: EntryLabel;
  readonly message: string;
}

/** What a parser made of a file: the usable patients and the entries it refused. */
export interface ParsedPatients {
  readonly candidates: PatientCandidate[];
  readonly issues: EntryIssue[];
  /** Remarks that do not stop an entry (an unknown identifier system ignored). */
  readonly notes: EntryIssue[];
  /** How the file was read (`FHIR JSON`, `CSV, Windows-1251, ';'`). */
  readonly format: string;
}

/** A whole-file refusal: nothing in the file can be imported. */
export class ImportFileError extends Error {
  constructor(
    readonly code:
      | 'too_large'
      | 'unreadable'
      | 'not_json'
      | 'not_fhir'
      | 'bad_csv'
      | 'bad_encoding'
      | 'missing_columns'
      | 'empty',
    message: string,
  ) {
    super(message);
    this.name = 'ImportFileError';
  }
}
