import type { WireObservation, WireValue } from '../../runtime/http/wire.ts';
import type { Acvpu, News2Input, News2Parameter } from './news2.ts';
import { ACVPU_LEVELS, VITAL_CODES } from './vital-codes.ts';

/** The observation each NEWS2 parameter was taken from (null where the visit has none). */
export type News2Sources = Readonly<Record<News2Parameter, WireObservation | null>>;

const numeric = (v: WireValue): number | null =>
  v.absentReason === null && v.value !== null ? v.value : null;

function celsius(v: WireValue): number | null {
  const n = numeric(v);
  if (n === null) return null;
  return v.unit === '[degF]' ? ((n - 32) * 5) / 9 : n;
}

function systolicOf(o: WireObservation): number | null {
  if (o.loinc === VITAL_CODES.systolic.loinc) return numeric(o);
  const c = o.components.find((x) => x.loinc === VITAL_CODES.systolic.loinc);
  return c ? numeric(c) : null;
}

type Reader = (o: WireObservation) => number | boolean | Acvpu | null;

const READERS: Readonly<Record<News2Parameter, { codes: readonly string[]; read: Reader }>> = {
  respirationRate: { codes: [VITAL_CODES.respirationRate.loinc], read: numeric },
  spo2: { codes: [VITAL_CODES.spo2.loinc, VITAL_CODES.spo2Arterial.loinc], read: numeric },
  oxygen: {
    codes: [VITAL_CODES.oxygenFlow.loinc],
    read: (o) => {
      const n = numeric(o);
      return n === null ? null : n > 0;
    },
  },
  systolic: { codes: [VITAL_CODES.bpPanel.loinc, VITAL_CODES.systolic.loinc], read: systolicOf },
  pulse: { codes: [VITAL_CODES.pulse.loinc], read: numeric },
  consciousness: {
    codes: [VITAL_CODES.consciousness.loinc],
    read: (o) => {
      const n = numeric(o);
      return n === null ? null : (ACVPU_LEVELS[n] ?? null);
    },
  },
  temperature: { codes: [VITAL_CODES.temperature.loinc], read: celsius },
};

/**
 * The NEWS2 input of a visit: for each parameter the most recent (by effective time) usable
 * value among the visit's kept readings and manual entries, and which observation it came from.
 */
export function news2InputOf(
  observations: readonly WireObservation[],
  spo2Scale: 1 | 2,
): { input: News2Input; sources: News2Sources } {
  const sorted = [...observations].sort((a, b) => (a.effectiveAt < b.effectiveAt ? 1 : -1));
  const sources = {} as Record<News2Parameter, WireObservation | null>;
  const values = {} as Record<News2Parameter, number | boolean | Acvpu | null>;
  for (const [parameter, { codes, read }] of Object.entries(READERS) as [
    News2Parameter,
    (typeof READERS)[News2Parameter],
  ][]) {
    let found: WireObservation | null = null;
    let value: number | boolean | Acvpu | null = null;
    for (const o of sorted) {
      if (!codes.includes(o.loinc)) continue;
      const v = read(o);
      if (v !== null) {
        found = o;
        value = v;
        break;
      }
    }
    sources[parameter] = found;
    values[parameter] = value;
  }
  return {
    input: {
      respirationRate: values.respirationRate as number | null,
      spo2: values.spo2 as number | null,
      spo2Scale,
      onOxygen: values.oxygen as boolean | null,
      systolic: values.systolic as number | null,
      pulse: values.pulse as number | null,
      consciousness: values.consciousness as Acvpu | null,
      temperature: values.temperature as number | null,
    },
    sources,
  };
}
