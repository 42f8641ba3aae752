import type { WireObservation } from '../../../../runtime/http/wire.ts';
import { news2 } from '../../../shared/news2.ts';
import { news2InputOf } from '../../../shared/vitals.ts';
import { clock } from '../format.ts';
import type { MessageKey } from '../i18n.ts';
import { points, t } from '../i18n.ts';

/** The vitals' names in the console's language by LOINC (the kit sends the English display). */
const NAMES: Readonly<Record<string, MessageKey>> = {
  '9279-1': 'vRespRate',
  '59408-5': 'vSpo2',
  '2708-6': 'vSpo2',
  '3151-8': 'vO2Flow',
  '85354-9': 'vBp',
  '8480-6': 'vSystolic',
  '8867-4': 'vPulse',
  '67775-7': 'vConsciousness',
  '8310-5': 'vTemperature',
};

function valueText(o: {
  value: number | null;
  unit: string | null;
  precision: number;
  absentReason: string | null;
}): string {
  if (o.value === null) return o.absentReason ?? '—';
  const n = o.value.toFixed(o.precision).replace('.', ',');
  return o.unit && o.unit !== '{score}' ? `${n} ${unitText(o.unit)}` : n;
}

/** A vital's name in the console's language (the live strip shares the table's names). */
export function vitalName(loinc: string, display: string): string {
  const key = NAMES[loinc];
  return key ? t(key) : display;
}

/** UCUM units as a Russian clinician writes them. */
export function unitText(unit: string): string {
  const map: Record<string, string> = {
    '%': '%',
    'mm[Hg]': 'мм рт. ст.',
    '/min': '/мин',
    Cel: '°C',
    'L/min': 'л/мин',
    'mmol/L': 'ммоль/л',
    kg: 'кг',
    cm: 'см',
  };
  return map[unit] ?? unit;
}

/** The vitals the kit sent, newest first, and the NEWS2 score they give. */
export function VitalsTable({ observations }: { observations: readonly WireObservation[] }) {
  if (observations.length === 0) return <p class="empty">{t('noVitals')}</p>;
  const sorted = [...observations].sort((a, b) => (a.effectiveAt < b.effectiveAt ? 1 : -1));
  const score = news2(news2InputOf(observations, 1).input);
  const risk = {
    low: t('riskLow'),
    'low-medium': t('riskLowMedium'),
    medium: t('riskMedium'),
    high: t('riskHigh'),
  }[score.risk];
  return (
    <div class="vitals">
      <p class={`news2 risk-${score.risk}`} data-news2={score.total}>
        <strong>{t('news2')}:</strong> {points(score.total)} — {risk}
        {!score.complete ? (
          <span class="hint"> ({t('news2Incomplete', { n: score.missing.length })})</span>
        ) : null}
      </p>
      <table class="vitals-table">
        <thead>
          <tr>
            <th>{t('vitalName')}</th>
            <th>{t('vitalValue')}</th>
            <th>{t('vitalTime')}</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((o) => (
            <tr key={o.id}>
              <td title={o.display}>{NAMES[o.loinc] ? t(NAMES[o.loinc]!) : o.display}</td>
              <td class="value">
                {o.components.length > 0 ? o.components.map((c) => valueText(c)).join(' / ') : valueText(o)}
              </td>
              <td>{clock(Date.parse(o.effectiveAt))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
