import { z } from 'zod';

/** Digits only: people type СНИЛС as `112-233-445 95` and полис ОМС in groups. */
export function digitsOf(s: string): string {
  return s.replace(/[\s\-–.]/g, '');
}

/**
 * The СНИЛС check number (Pension Fund rules): digits 1-9 weighted 9..1, summed; below 100 the
 * sum is the check, 100 and 101 give 00, above that the sum mod 101 (100 again giving 00).
 * Numbers up to 001-001-998 were issued before the rule and carry no check.
 */
export function snilsValid(digits: string): boolean {
  if (!/^\d{11}$/.test(digits)) return false;
  const body = digits.slice(0, 9);
  if (Number(body) <= 1_001_998) return true;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(body[i]) * (9 - i);
  const check = sum < 100 ? sum : sum === 100 || sum === 101 ? 0 : (sum % 101) % 100;
  return check === Number(digits.slice(9));
}

/** A СНИЛС as typed: normalised to 11 digits and checked. */
export const Snils = z
  .string()
  .max(20)
  .transform(digitsOf)
  .refine(snilsValid, 'СНИЛС: 11 digits with a valid check number');

/** A unified полис ОМС number: 16 digits. */
export const OmsPolicy = z
  .string()
  .max(24)
  .transform(digitsOf)
  .refine((d) => /^\d{16}$/.test(d), 'полис ОМС: 16 digits');

/** What a search string is: a document number (by length) or the start of a name. */
export type PatientQuery =
  { readonly by: 'document'; readonly number: string } | { readonly by: 'name'; readonly prefix: string };

/** Classifies a search: 11 digits is a СНИЛС, 16 a полис ОМС, anything with letters a name. */
export function classifyQuery(q: string): PatientQuery | null {
  const digits = digitsOf(q.trim());
  if (/^\d+$/.test(digits))
    return digits.length === 11 || digits.length === 16 ? { by: 'document', number: digits } : null;
  const prefix = q.trim();
  return [...prefix.replace(/[^\p{L}]/gu, '')].length >= 2 ? { by: 'name', prefix } : null;
}
