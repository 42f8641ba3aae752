import type { PatientImportOp, PatientInput, PatientRecord } from '../../../store/index.ts';
import { canonicalNumber } from '../profiles/identifier-profile.ts';
import type { EntryIssue, PatientCandidate } from './import-types.ts';

/** The part of the store a merge reads. */
export interface PatientLookup {
  findPatientByDocument(number: string): Promise<PatientRecord | undefined>;
  findPatientsByNamePrefix(prefix: string): Promise<PatientRecord[]>;
}

/** What an import will do, entry by entry, before anything is written. */
export interface MergePlan {
  readonly ops: PatientImportOp[];
  /** Labels of the entries behind `ops`, in the same order. */
  readonly opLabels: string[];
  readonly unchanged: string[];
  /** Entries that repeat an earlier entry of the same file exactly (merged into it). */
  readonly duplicates: EntryIssue[];
  /** Entries that contradict the store or another entry: never imported. */
  readonly conflicts: EntryIssue[];
}

const DOC_NAMES: Readonly<Record<string, string>> = { snils: 'СНИЛС', oms: 'полис ОМС', passport: 'паспорт' };
const docName = (kind: string): string => DOC_NAMES[kind] ?? kind;

/** A person's name as compared: case, ё/е and spacing do not matter. */
function sameName(a: Pick<PatientInput, 'familyName' | 'givenName' | 'middleName'>, b: typeof a): boolean {
  const key = (p: typeof a): string =>
    [p.familyName, p.givenName ?? '', p.middleName ?? '']
      .join(' ')
      .toLocaleLowerCase('ru')
      .replace(/ё/g, 'е')
      .replace(/\s+/g, ' ')
      .trim();
  return key(a) === key(b);
}

/** Why two records of one identifier are not the same person, or undefined if they may be. */
function mismatch(a: PatientInput, b: PatientInput): string | undefined {
  if (!sameName(a, b)) return 'a different name';
  if (a.birthDate !== undefined && b.birthDate !== undefined && a.birthDate !== b.birthDate)
    return 'a different birth date';
  return undefined;
}

const docKey = (d: { kind: string; number: string }): string =>
  `${d.kind}:${canonicalNumber(d.kind, d.number)}`;

/** What identifies an entry within a file: its documents, or without any its name and birth date. */
function matchKeys(p: PatientInput): string[] {
  const docs = (p.documents ?? []).map(docKey);
  if (docs.length > 0) return docs;
  return [
    `name:${[p.familyName, p.givenName ?? '', p.middleName ?? ''].join(' ').toLocaleLowerCase('ru').replace(/ё/g, 'е')}|${p.birthDate ?? ''}`,
  ];
}

/** Within the file: the same identifier on different people is a conflict for every entry holding it. */
function fileConflicts(candidates: readonly PatientCandidate[]): {
  kept: PatientCandidate[];
  duplicates: EntryIssue[];
  conflicts: EntryIssue[];
} {
  const firstByDoc = new Map<string, PatientCandidate>();
  const bad = new Map<string, string>();
  const duplicateOf = new Map<string, string>();
  for (const c of candidates)
    for (const key of matchKeys(c.input)) {
      const d = key.startsWith('name:')
        ? { kind: 'name', number: '' }
        : c.input.documents.find((x) => docKey(x) === key)!;
      const first = firstByDoc.get(key);
      if (!first) {
        firstByDoc.set(key, c);
        continue;
      }
      const why = mismatch(first.input, c.input);
      if (why) {
        bad.set(c.label, `${docName(d.kind)} ${d.number} also in ${first.label} with ${why}`);
        if (!bad.has(first.label))
          bad.set(first.label, `${docName(d.kind)} ${d.number} also in ${c.label} with ${why}`);
      } else if (first !== c) duplicateOf.set(c.label, first.label);
    }
  const conflicts = [...bad].map(([label, message]) => ({ label, message }));
  const duplicates = [...duplicateOf]
    .filter(([label]) => !bad.has(label))
    .map(([label, of]) => ({ label, message: `repeats ${of}` }));
  const dropped = new Set([...bad.keys(), ...duplicateOf.keys()]);
  return { kept: candidates.filter((c) => !dropped.has(c.label)), duplicates, conflicts };
}

/** The stored patient's fields completed by the candidate's (stored values win; documents are added). */
function merged(stored: PatientRecord, c: PatientInput): PatientInput | undefined {
  const documents = [...stored.documents];
  for (const d of c.documents ?? []) if (!documents.some((s) => docKey(s) === docKey(d))) documents.push(d);
  const next: PatientInput = {
    familyName: stored.familyName,
    givenName: stored.givenName,
    ...((stored.middleName ?? c.middleName) ? { middleName: stored.middleName ?? c.middleName } : {}),
    ...((stored.birthDate ?? c.birthDate) ? { birthDate: stored.birthDate ?? c.birthDate } : {}),
    sex: stored.sex === 'unknown' ? (c.sex ?? 'unknown') : stored.sex,
    documents,
    ...((stored.phone ?? c.phone) ? { phone: stored.phone ?? c.phone } : {}),
    ...((stored.address ?? c.address) ? { address: stored.address ?? c.address } : {}),
    ...(stored.note === undefined ? {} : { note: stored.note }),
  };
  const same =
    documents.length === stored.documents.length &&
    next.middleName === stored.middleName &&
    next.birthDate === stored.birthDate &&
    next.sex === stored.sex &&
    next.phone === stored.phone &&
    next.address === stored.address;
  return same ? undefined : next;
}

async function storedMatch(
  c: PatientCandidate,
  store: PatientLookup,
): Promise<{ found?: PatientRecord; conflict?: string }> {
  const hits = new Map<string, PatientRecord>();
  for (const d of c.input.documents) {
    const p = await store.findPatientByDocument(d.number);
    if (!p) continue;
    const stored = p.documents.find((s) => docKey(s) === docKey(d));
    if (!stored) continue; // the same digits under another kind: not this identifier
    const why = mismatch(p, c.input);
    if (why)
      return { conflict: `${docName(d.kind)} ${d.number} is on record (${p.id}) for a patient with ${why}` };
    hits.set(p.id, p);
  }
  if (hits.size > 1)
    return {
      conflict: `its documents belong to ${hits.size} different patients on record (${[...hits.keys()].join(', ')})`,
    };
  const found = [...hits.values()][0];
  if (found) {
    for (const d of c.input.documents) {
      const other = found.documents.find((s) => s.kind === d.kind && docKey(s) !== docKey(d));
      if (other)
        return {
          conflict: `${found.id} has another ${docName(d.kind)} on record (${other.number}, file: ${d.number})`,
        };
    }
    return { found };
  }
  if (c.input.documents.length > 0) return {};
  if (c.input.birthDate === undefined)
    return { conflict: 'no СНИЛС, полис ОМС, passport or birth date: cannot be matched safely' };
  const byName = (await store.findPatientsByNamePrefix(c.input.familyName)).filter(
    (p) => sameName(p, c.input) && p.birthDate === c.input.birthDate,
  );
  if (byName.length > 1)
    return { conflict: `${byName.length} patients on record have this name and birth date` };
  return byName[0] ? { found: byName[0] } : {};
}

/**
 * Plans an import: which entries create patients, which add to stored ones (documents or
 * fields the store lacks), which change nothing, which repeat an earlier entry, and which
 * conflict (an identifier on record, or elsewhere in the file, for a different name or birth
 * date; documents of two stored patients; another number of the same kind on record). Matching
 * is by СНИЛС, полис ОМС and passport; an entry with none is matched by full name and birth date.
 */
export async function planMerge(
  candidates: readonly PatientCandidate[],
  store: PatientLookup,
): Promise<MergePlan> {
  const { kept, duplicates, conflicts } = fileConflicts(candidates);
  const ops: PatientImportOp[] = [];
  const opLabels: string[] = [];
  const unchanged: string[] = [];
  const touched = new Map<string, string>();
  for (const c of kept) {
    const match = await storedMatch(c, store);
    if (match.conflict) {
      conflicts.push({ label: c.label, message: match.conflict });
      continue;
    }
    if (!match.found) {
      ops.push({ kind: 'create', input: c.input });
      opLabels.push(c.label);
      continue;
    }
    const earlier = touched.get(match.found.id);
    if (earlier) {
      conflicts.push({
        label: c.label,
        message: `matches the same patient on record as ${earlier} (${match.found.id})`,
      });
      continue;
    }
    touched.set(match.found.id, c.label);
    const next = merged(match.found, c.input);
    if (!next) {
      unchanged.push(c.label);
      continue;
    }
    ops.push({ kind: 'update', id: match.found.id, basedOn: match.found.updatedAt, input: next });
    opLabels.push(c.label);
  }
  return { ops, opLabels, unchanged, duplicates, conflicts };
}
