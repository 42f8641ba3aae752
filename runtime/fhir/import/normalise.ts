import { PatientInput } from '../../../store/schema/patient.ts';
import { canonicalNumber } from '../profiles/identifier-profile.ts';
import { documentProblem } from './documents.ts';
import type { EntryIssue, PatientCandidate } from './import-types.ts';

/** A patient as a file states it, before any check. */
export interface RawPatient {
  readonly familyName?: string;
  readonly givenName?: string;
  readonly middleName?: string;
  readonly birthDate?: string;
  readonly sex?: string;
  readonly documents: ReadonlyArray<{ readonly kind: string; readonly number: string }>;
  readonly phone?: string;
  readonly address?: string;
}

const SEX: Readonly<Record<string, 'male' | 'female' | 'other' | 'unknown'>> = {
  male: 'male',
  female: 'female',
  other: 'other',
  unknown: 'unknown',
  м: 'male',
  муж: 'male',
  мужской: 'male',
  ж: 'female',
  жен: 'female',
  женский: 'female',
  m: 'male',
  f: 'female',
};

/** `YYYY-MM-DD` from `YYYY-MM-DD` or `DD.MM.YYYY`, if it is a real date not in the future. */
export function isoDate(text: string, today = new Date()): string | undefined {
  const t = text.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t) ?? /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(t);
  if (!m) return undefined;
  const [y, mo, d] = t.includes('.') ? [m[3], m[2], m[1]] : [m[1], m[2], m[3]];
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  const iso = `${y}-${mo}-${d}`;
  if (date.toISOString().slice(0, 10) !== iso || date.getTime() > today.getTime() || Number(y) < 1880)
    return undefined;
  return iso;
}

const clean = (s: string | undefined): string => (s ?? '').replace(/\s+/g, ' ').trim();

/**
 * Checks and normalises one patient: a family name, a real birth date, a known sex, valid
 * document numbers (СНИЛС check number, 16-digit полис ОМС), the store's field limits. Numbers
 * are kept in their canonical form (digits for СНИЛС and ОМС) so the same person typed two ways
 * matches. Every problem of the entry is reported, not only the first.
 */
export function normalisePatient(label: string, raw: RawPatient): PatientCandidate | EntryIssue[] {
  const problems: string[] = [];
  const familyName = clean(raw.familyName);
  if (!familyName) problems.push('no family name');
  let birthDate: string | undefined;
  if (clean(raw.birthDate)) {
    birthDate = isoDate(clean(raw.birthDate));
    if (!birthDate)
      problems.push(`birth date '${clean(raw.birthDate)}' is not a date (YYYY-MM-DD or DD.MM.YYYY)`);
  }
  const sexText = clean(raw.sex).toLocaleLowerCase('ru');
  const sex = sexText === '' ? 'unknown' : SEX[sexText];
  if (!sex) problems.push(`sex '${clean(raw.sex)}' is not one of м, ж, male, female`);
  const documents: { kind: string; number: string }[] = [];
  for (const d of raw.documents) {
    if (clean(d.number) === '') continue;
    const problem = documentProblem(d.kind, d.number);
    if (problem) problems.push(problem);
    else documents.push({ kind: d.kind, number: canonicalNumber(d.kind, d.number) });
  }
  const kinds = documents.map((d) => d.kind);
  for (const k of new Set(kinds))
    if (kinds.filter((x) => x === k).length > 1) problems.push(`two ${k} numbers`);
  const middleName = clean(raw.middleName);
  const phone = clean(raw.phone);
  const address = clean(raw.address);
  const input = {
    familyName,
    givenName: clean(raw.givenName),
    ...(middleName ? { middleName } : {}),
    ...(birthDate ? { birthDate } : {}),
    sex: sex ?? 'unknown',
    documents,
    ...(phone ? { phone } : {}),
    ...(address ? { address } : {}),
  };
  if (problems.length === 0) {
    const checked = PatientInput.safeParse(input);
    if (!checked.success)
      for (const i of checked.error.issues) problems.push(`${i.path.join('.') || 'patient'}: ${i.message}`);
  }
  if (problems.length > 0) return problems.map((message) => ({ label, message }));
  return { label, input };
}
