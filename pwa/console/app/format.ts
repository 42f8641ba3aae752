import type { ConsultationBody } from '../../../runtime/link/items.ts';
import { locale, t, years } from './i18n.ts';

/** A clock time (and the date when not today) in the console's locale. */
export function clock(ms: number, now = Date.now()): string {
  const tag = locale() === 'ru' ? 'ru-RU' : 'en-GB';
  const d = new Date(ms);
  const sameDay = new Date(now).toDateString() === d.toDateString();
  return sameDay
    ? d.toLocaleTimeString(tag, { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleString(tag, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}

/** "женщина, 67 лет": the only patient details that leave the kit. */
export function patientLine(patient: ConsultationBody['patient']): string {
  const sex = patient?.sex === 'f' ? t('sexF') : patient?.sex === 'm' ? t('sexM') : t('sexX');
  const age = patient?.age !== undefined ? years(patient.age) : t('ageUnknown');
  return `${sex}, ${age}`;
}
