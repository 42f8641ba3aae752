import type { WirePatient } from '../../../runtime/http/api/wire-types.ts';
import type { WireObservation, WireValue } from '../../../runtime/http/wire.ts';
import { ACVPU_LEVELS, VITAL_CODES } from '../../shared/vital-codes.ts';
import type { Words } from './state/context.ts';

const CODE_NAMES: Record<string, { ru: string; en: string }> = {
  '2708-6': { ru: 'SpO₂', en: 'SpO₂' },
  '59408-5': { ru: 'SpO₂', en: 'SpO₂' },
  '8867-4': { ru: 'Пульс', en: 'Pulse' },
  '85354-9': { ru: 'Давление', en: 'Blood pressure' },
  '8310-5': { ru: 'Температура', en: 'Temperature' },
  '29463-7': { ru: 'Масса тела', en: 'Weight' },
  '9279-1': { ru: 'ЧДД', en: 'Resp. rate' },
  '3151-8': { ru: 'Кислород', en: 'Oxygen' },
  '67775-7': { ru: 'Сознание', en: 'Consciousness' },
};

const UNITS: Record<string, { ru: string; en: string }> = {
  '/min': { ru: '/мин', en: '/min' },
  'mm[Hg]': { ru: 'мм\u00a0рт.\u00a0ст.', en: 'mmHg' },
  Cel: { ru: '°C', en: '°C' },
  '[degF]': { ru: '°F', en: '°F' },
  kg: { ru: 'кг', en: 'kg' },
  'L/min': { ru: 'л/мин', en: 'L/min' },
  '%': { ru: '%', en: '%' },
};

/** A LOINC code's short name in the locale. */
export function codeName(w: Words, o: { loinc: string; display: string }): string {
  return CODE_NAMES[o.loinc]?.[w.locale] ?? o.display;
}

/** A UCUM unit as people write it. */
export function unitName(w: Words, ucum: string | null): string {
  return ucum === null ? '' : (UNITS[ucum]?.[w.locale] ?? ucum);
}

// Intl formatters are costly to build (a live value repaints many times a second): one per shape.
const formatters = new Map<string, Intl.NumberFormat>();
function cached<T extends Intl.NumberFormat>(key: string, make: () => T): T {
  let f = formatters.get(key) as T | undefined;
  if (!f) {
    f = make();
    formatters.set(key, f);
  }
  return f;
}

/**
 * A number with the device's own precision (97 stays 97, 36.60 stays 36.60). A vital below 1000
 * that needs no rounding at its precision is written out (digits, and the locale's decimal
 * comma or point): the same text Intl gives (format.test.ts holds them together) without
 * building a formatter, whose first construction in a fresh page loads ICU's number data.
 */
export function formatNumber(w: Words, v: WireValue): string {
  if (v.value === null) return '—';
  const digits = Math.min(v.precision, 12);
  const plain = (v.value > 0 || Object.is(v.value, 0)) && v.value < 1000 ? v.value.toFixed(digits) : null;
  if (plain !== null && Number(plain) === v.value) return w.locale === 'ru' ? plain.replace('.', ',') : plain;
  return cached(
    `n|${w.tag}|${digits}`,
    () => new Intl.NumberFormat(w.tag, { minimumFractionDigits: digits, maximumFractionDigits: digits }),
  ).format(v.value);
}

/** The value of an observation as shown: "128/82", "97", "C", "воздух", or "нет значения". */
export function valueText(w: Words, o: WireObservation): string {
  if (o.loinc === VITAL_CODES.bpPanel.loinc) {
    const sys = o.components.find((c) => c.loinc === '8480-6');
    const dia = o.components.find((c) => c.loinc === '8462-4');
    return sys && dia ? `${formatNumber(w, sys)}/${formatNumber(w, dia)}` : w.t('absent');
  }
  if (o.absentReason !== null || o.value === null) return w.t('absent');
  if (o.loinc === VITAL_CODES.consciousness.loinc) return ACVPU_LEVELS[o.value] ?? '?';
  if (o.loinc === VITAL_CODES.oxygenFlow.loinc && o.value === 0) return w.t('onAir');
  return formatNumber(w, o);
}

/** The unit shown after {@link valueText} (none for ACVPU and room air). */
export function valueUnit(w: Words, o: WireObservation): string {
  if (o.loinc === VITAL_CODES.consciousness.loinc) return '';
  if (o.loinc === VITAL_CODES.oxygenFlow.loinc && o.value === 0) return '';
  if (o.loinc === VITAL_CODES.bpPanel.loinc) return unitName(w, 'mm[Hg]');
  return unitName(w, o.unit);
}

const two = (n: number) => String(n).padStart(2, '0');

/**
 * Time of day in the tablet's zone, "14:05": what Intl.DateTimeFormat gives for both locales
 * (ru-RU and en-GB write 24-hour HH:MM), written out here because building that formatter in a
 * freshly started page costs more than drawing the whole visit screen (format.test.ts holds the
 * two to the same output).
 */
export function timeOfDay(_w: Words, iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : `${two(d.getHours())}:${two(d.getMinutes())}`;
}

/**
 * A date as the locale writes it: 02.03.1948 (ru-RU), 02/03/1948 (en-GB); written out for the
 * same reason as {@link timeOfDay}, and held to Intl's output by format.test.ts.
 */
export function dateText(w: Words, isoDate: string): string {
  const [y, m, d] = isoDate.slice(0, 10).split('-');
  if (!y || !m || !d) return isoDate;
  return w.locale === 'ru' ? `${d}.${m}.${y}` : `${d}/${m}/${y}`;
}

/** Whole years between a birth date and now. */
export function ageOf(birthDate: string, now = new Date()): number {
  const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number];
  let age = now.getFullYear() - y;
  if (now.getMonth() + 1 < m || (now.getMonth() + 1 === m && now.getDate() < d)) age--;
  return age;
}

/** "Смирнова Анна Петровна". */
export function fullName(p: Pick<WirePatient, 'familyName' | 'givenName' | 'middleName'>): string {
  return [p.familyName, p.givenName, p.middleName].filter(Boolean).join(' ');
}

/** A СНИЛС as people write it: 112-233-445 95. */
export function snilsText(digits: string): string {
  return digits.length === 11
    ? `${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6, 9)} ${digits.slice(9)}`
    : digits;
}
