import { createHash } from 'node:crypto';
import type { ConclusionBody, ConsultationBody } from '../../runtime/link/items.ts';
import { decodeWire } from '../../crypto/wire-cbor.ts';

/** A reading as the simulated specialist reads a consultation's records (fields it looks at). */
interface Reading {
  readonly loinc?: string;
  readonly display?: string;
  readonly value?: number;
  readonly unit?: string;
}

function readingOf(cbor: Uint8Array): Reading {
  const d = decodeWire(cbor);
  if (!d.ok || !d.value || typeof d.value !== 'object') return {};
  const r = d.value as Record<string, unknown>;
  const code = (r.code ?? {}) as Record<string, unknown>;
  const value = (r.value ?? {}) as Record<string, unknown>;
  return {
    loinc: typeof r.loinc === 'string' ? r.loinc : typeof code.loinc === 'string' ? code.loinc : undefined,
    display: typeof code.display === 'string' ? code.display : undefined,
    value: typeof r.value === 'number' ? r.value : typeof value.value === 'number' ? value.value : undefined,
    unit: typeof r.unit === 'string' ? r.unit : typeof value.unit === 'string' ? value.unit : undefined,
  };
}

/** The first reply: the consultation was read (Russian, as the brigade reads it). */
export function acknowledgement(body: ConsultationBody): string {
  return body.urgency === 'urgent'
    ? 'Срочную консультацию получила, смотрю данные. Не отпускайте пациента.'
    : 'Консультацию получила, отвечу после просмотра данных.';
}

/**
 * A conclusion that refers to every record of the consultation by the SHA-256 of the exact bytes
 * received, with a short opinion drawn from the vitals (SpO2, pulse) it found. `tamper` makes one
 * hash wrong, the fault a kit must catch (shown unverified).
 */
export function conclusionFor(body: ConsultationBody, tamper = false): ConclusionBody {
  const refersTo = body.records.map((r, i) => ({
    id: r.id,
    sha256: tamper && i === 0 ? '0'.repeat(64) : createHash('sha256').update(r.cbor).digest('hex'),
  }));
  const readings = body.records.map((r) => readingOf(r.cbor));
  const spo2 = readings.find((r) => r.loinc === '59408-5' || r.loinc === '2708-6')?.value;
  const pulse = readings.find((r) => r.loinc === '8867-4')?.value;
  const notes: string[] = [];
  if (spo2 !== undefined)
    notes.push(spo2 < 92 ? `SpO2 ${spo2} %: гипоксемия, кислород` : `SpO2 ${spo2} % в норме`);
  if (pulse !== undefined) notes.push(pulse > 100 ? `ЧСС ${pulse}/мин: тахикардия` : `ЧСС ${pulse}/мин`);
  const urgent = body.urgency === 'urgent';
  const findings = notes.length ? `${notes.join('; ')}.` : 'Показаний в запросе нет.';
  const recommendations = urgent
    ? 'ЭКГ в 12 отведениях, кислород при SpO2 ниже 92 %, контроль давления каждые 15 минут.'
    : 'Наблюдение по месту жительства, повторный осмотр через неделю.';
  const referral = urgent ? 'Госпитализация в кардиологическое отделение ЦРБ, транспорт лёжа.' : undefined;
  const disclaimer = '(Симулированный специалист: заключение не является медицинским.)';
  return {
    text: [findings, recommendations, referral, disclaimer].filter(Boolean).join(' '),
    diagnosis: urgent ? 'Боль в груди неуточнённая' : 'Осмотр без жалоб',
    icd10: urgent ? 'R07.4' : 'Z00.0',
    findings,
    recommendations: `${recommendations} ${disclaimer}`,
    ...(referral ? { referral } : {}),
    refersTo: refersTo.length > 0 ? refersTo : [{ id: 'none', sha256: '0'.repeat(64) }],
  };
}
