import { snilsValid } from '../import/documents.ts';

/** A valid СНИЛС (11 digits, check number computed) from a 9-digit body number. */
export function snilsFor(body: number): string {
  const digits = String(body).padStart(9, '0');
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(digits[i]) * (9 - i);
  const check = sum < 100 ? sum : sum === 100 || sum === 101 ? 0 : (sum % 101) % 100;
  const out = digits + String(check).padStart(2, '0');
  if (!snilsValid(out)) throw new Error(`bad СНИЛС ${out}`);
  return out;
}

/** A 16-digit unified полис ОМС number. */
export const omsFor = (n: number): string => `77${String(n).padStart(14, '0')}`;

const FAMILY = ['Иванов', 'Смирнов', 'Кузнецов', 'Попов', 'Васильев', 'Петров', 'Соколов', 'Михайлов'];
const GIVEN = ['Александр', 'Сергей', 'Дмитрий', 'Андрей', 'Алексей', 'Максим', 'Евгений', 'Иван'];
const MIDDLE = ['Петрович', 'Иванович', 'Сергеевич', 'Андреевич'];

/** One row of the documented CSV header, patient `i` (distinct documents per i). */
export interface ListRow {
  readonly family: string;
  readonly given: string;
  readonly middle: string;
  readonly birth: string;
  readonly sex: string;
  readonly snils: string;
  readonly oms: string;
}

/** Patient `i` of a generated list. */
export function listRow(i: number): ListRow {
  return {
    family: FAMILY[i % FAMILY.length]!,
    given: GIVEN[Math.floor(i / FAMILY.length) % GIVEN.length]!,
    middle: MIDDLE[i % MIDDLE.length]!,
    birth: `${String(1 + (i % 28)).padStart(2, '0')}.${String(1 + (i % 12)).padStart(2, '0')}.${1930 + (i % 80)}`,
    sex: 'м',
    snils: snilsFor(100_000_000 + i * 7),
    oms: omsFor(i + 1),
  };
}

/** The documented header, Russian names, `;`-separated (as Russian Excel writes it). */
export const CSV_HEADER = 'Фамилия;Имя;Отчество;Дата рождения;Пол;СНИЛС;Полис ОМС';

/** Rows as CSV text under {@link CSV_HEADER}. */
export function csvText(rows: readonly ListRow[]): string {
  return (
    [
      CSV_HEADER,
      ...rows.map((r) => [r.family, r.given, r.middle, r.birth, r.sex, r.snils, r.oms].join(';')),
    ].join('\r\n') + '\r\n'
  );
}
