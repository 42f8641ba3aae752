import type { News2Parameter, News2Result, ParameterScore } from '../../../shared/news2.ts';
import type { TextKey } from '../../../shared/i18n/i18n.ts';
import { useWords } from '../state/context.ts';

const NAMES: Record<News2Parameter, TextKey> = {
  respirationRate: 'pRespirationRate',
  spo2: 'pSpo2',
  oxygen: 'pOxygen',
  systolic: 'pSystolic',
  pulse: 'pPulse',
  consciousness: 'pConsciousness',
  temperature: 'pTemperature',
};
const WORDS: Record<0 | 1 | 2 | 3, TextKey> = {
  0: 'scoreNormal',
  1: 'scoreMild',
  2: 'scoreModerate',
  3: 'scoreSevere',
};
const RISK: Record<News2Result['risk'], TextKey> = {
  low: 'riskLow',
  'low-medium': 'riskLowMedium',
  medium: 'riskMedium',
  high: 'riskHigh',
};

function Row({ p }: { p: ParameterScore }) {
  const w = useWords();
  if (p.missing)
    return (
      <tr class="missing" data-testid={`news2-${p.parameter}`} data-score="">
        <th>{w.t(NAMES[p.parameter])}</th>
        <td>—</td>
        <td />
        <td>{w.t('absent')}</td>
      </tr>
    );
  // Number, arrow and word: the score never rests on colour alone.
  const arrow = p.deviation === 'high' ? '↑' : p.deviation === 'low' ? '↓' : '·';
  return (
    <tr class={`s${p.score}`} data-testid={`news2-${p.parameter}`} data-score={p.score}>
      <th>{w.t(NAMES[p.parameter])}</th>
      <td class="score">{p.score}</td>
      <td class="arrow" aria-hidden="true">
        {arrow}
      </td>
      <td>{w.t(WORDS[p.score])}</td>
    </tr>
  );
}

/** NEWS2 of the visit's vitals: each parameter as number, arrow and word, the total and the risk. */
export function News2Panel({
  result,
  scale,
  onScale,
}: {
  result: News2Result;
  scale: 1 | 2;
  onScale: (s: 1 | 2) => void;
}) {
  const w = useWords();
  const names = result.missing.map((m) => w.t(NAMES[m])).join(', ');
  return (
    <section
      class={`panel news2 risk-${result.risk}`}
      data-testid="news2-panel"
      data-total={result.total}
      data-complete={result.complete}
    >
      <div class="news2-head">
        <h2>{w.t('news2')}</h2>
        <span class="news2-total" data-testid="news2-total">
          {w.t('news2Total')}:{' '}
          <b>{result.complete ? result.total : w.t('news2AtLeast', { n: result.total })}</b>
        </span>
        <span class="news2-risk">{w.t(RISK[result.risk])}</span>
      </div>
      {result.proposeUrgent && <p class="urgent-note">⚑ {w.t('news2Urgent')}</p>}
      <table class="news2-table">
        <tbody>
          {result.parameters.map((p) => (
            <Row key={p.parameter} p={p} />
          ))}
        </tbody>
      </table>
      {!result.complete && <p class="hint">{w.t('news2Missing', { list: names })}</p>}
      <label class="check">
        <input
          type="checkbox"
          checked={scale === 2}
          onChange={(e) => onScale(e.currentTarget.checked ? 2 : 1)}
        />
        {w.t('news2Scale2')}
      </label>
    </section>
  );
}
