import type { PatientImportOp, PatientImportResult } from '../../../store/index.ts';
import type { EntryIssue, ParsedPatients } from './import-types.ts';
import { planMerge, type PatientLookup } from './merge-plan.ts';

/** The store as an import sees it (RecordStore implements it). */
export interface ImportTarget extends PatientLookup {
  importPatients(ops: readonly PatientImportOp[]): Promise<PatientImportResult>;
}

/** What an import did, entry by entry. */
export interface ImportReport {
  readonly format: string;
  /** Whether anything was written (false: refused whole, the store unchanged). */
  readonly applied: boolean;
  readonly created: string[];
  readonly updated: string[];
  readonly unchanged: string[];
  readonly duplicates: EntryIssue[];
  /** Entries refused: invalid values, wrong resource types, conflicts. */
  readonly refused: EntryIssue[];
  readonly notes: EntryIssue[];
}

/**
 * Merges a parsed patient list into the store: all of it in one commit, or nothing when any entry
 * is refused (unless `partial`, which imports the acceptable entries and reports the rest).
 */
export async function importPatientList(
  parsed: ParsedPatients,
  store: ImportTarget,
  options: { readonly partial: boolean },
): Promise<ImportReport> {
  const plan = await planMerge(parsed.candidates, store);
  const refused = [...parsed.issues, ...plan.conflicts].sort((a, b) => order(a.label) - order(b.label));
  const base = {
    format: parsed.format,
    unchanged: plan.unchanged,
    duplicates: plan.duplicates,
    refused,
    notes: parsed.notes,
  };
  if ((refused.length > 0 && !options.partial) || plan.ops.length === 0)
    return { ...base, applied: false, created: [], updated: [] };
  await store.importPatients(plan.ops);
  return {
    ...base,
    applied: true,
    created: plan.opLabels.filter((_, i) => plan.ops[i]!.kind === 'create'),
    updated: plan.opLabels.filter((_, i) => plan.ops[i]!.kind === 'update'),
  };
}

/** Sorts `row 12` / `entry 3` labels by their number. */
function order(label: string): number {
  const n = /(\d+)$/.exec(label);
  return n ? Number(n[1]) : -1;
}
