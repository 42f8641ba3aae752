import { digitsOnly } from '../profiles/identifier-profile.ts';

/**
 * The СНИЛС check number (Pension Fund rules): digits 1-9 weighted 9..1 and summed; below 100 the
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

/** Why a document number is refused, or undefined when it is acceptable. */
export function documentProblem(kind: string, number: string): string | undefined {
  if (kind === 'snils') {
    const d = digitsOnly(number);
    if (d.length !== 11) return `СНИЛС '${number}' is not 11 digits`;
    if (!snilsValid(d)) return `СНИЛС '${number}' fails its check number`;
  }
  if (kind === 'oms' && !/^\d{16}$/.test(digitsOnly(number)))
    return `полис ОМС '${number}' is not the 16 digits of a unified policy`;
  if (number.trim() === '') return `${kind}: empty number`;
  return undefined;
}
