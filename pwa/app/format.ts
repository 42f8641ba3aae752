import type { WireObservation, WireValue } from '../../runtime/http/wire.ts';
import { t, unitName, type Locale } from './i18n.ts';

/** A value with the device's own precision (97 stays 97, 36.60 stays 36.60). */
export function formatNumber(v: WireValue): string {
  return v.value === null ? '—' : v.value.toFixed(v.precision);
}

/** The headline text of an observation: "128/82 мм рт. ст.", "97 %", or "нет значения". */
export function formatObservation(locale: Locale, o: WireObservation): string {
  if (o.loinc === '85354-9') {
    const sys = o.components.find((c) => c.loinc === '8480-6');
    const dia = o.components.find((c) => c.loinc === '8462-4');
    if (!sys || !dia) return t(locale, 'absent');
    return `${formatNumber(sys)}/${formatNumber(dia)} ${unitName(locale, sys.unit ?? dia.unit)}`;
  }
  if (o.absentReason !== null || o.value === null) return `${t(locale, 'absent')} (${o.absentReason ?? '—'})`;
  return `${formatNumber(o)} ${unitName(locale, o.unit)}`;
}

/** Free disk space in megabytes, one decimal below 10 MB ("3.2", "412"), or "—" when unknown. */
export function formatMb(bytes: number | null): string {
  if (bytes === null) return '—';
  const mb = bytes / 1024 / 1024;
  return mb < 10 ? mb.toFixed(1) : String(Math.round(mb));
}
