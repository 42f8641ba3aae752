import type { TextKey } from '../../../shared/i18n/i18n.ts';
import { deliveryText } from '../delivery-text.ts';
import { codeName, timeOfDay, valueText, valueUnit } from '../format.ts';
import { useWords } from '../state/context.ts';
import type { DisplayEntry } from '../state/visit-model.ts';

const KIND: Record<DisplayEntry['kind'], TextKey> = {
  complaints: 'kindComplaints',
  note: 'kindNote',
  keep: 'kindKeep',
  manual: 'kindManual',
  attachment: 'kindAttachment',
  consultation: 'kindConsult',
};

function Where({ e }: { e: DisplayEntry }) {
  const w = useWords();
  if (e.place === 'kit' && e.consultation)
    return <span class="place kit">✓ {deliveryText(w, e.consultation.delivery)}</span>;
  if (e.place === 'kit') return <span class="place kit">✓ {w.t('onKit')}</span>;
  if (e.place === 'refused')
    return (
      <span class="place refused" role="alert">
        ⚠ {w.t('refused')}: {e.error}
      </span>
    );
  return (
    <span class="place tablet">
      ⇪ {e.progress !== null ? `${w.t('sendingToKit')} ${Math.round(e.progress * 100)} %` : w.t('onTablet')}
    </span>
  );
}

function Body({ e }: { e: DisplayEntry }) {
  const w = useWords();
  if (e.observation)
    return (
      <span class="entry-value">
        {codeName(w, e.observation)}: <b>{valueText(w, e.observation)}</b> {valueUnit(w, e.observation)}
      </span>
    );
  if (e.attachment?.kind === 'photo')
    return <img class="thumb" src={e.attachment.url} alt={w.t('photo')} loading="lazy" />;
  if (e.attachment?.kind === 'voice') return <audio controls preload="none" src={e.attachment.url} />;
  if (e.consultation)
    return (
      <span>
        {e.consultation.urgency === 'urgent' ? `⚑ ${w.t('urgent')}` : w.t('routine')} ·{' '}
        {e.consultation.question}
      </span>
    );
  return <span class="entry-text">{e.text}</span>;
}

/** Everything of the visit in order, each with where it is (on the kit, on the tablet, refused). */
export function Journal({ entries }: { entries: readonly DisplayEntry[] }) {
  const w = useWords();
  return (
    <section class="panel">
      <h2>{w.t('journal')}</h2>
      <ol class="journal" data-testid="journal">
        {[...entries].reverse().map((e) => (
          <li
            key={e.key}
            class={`entry ${e.place}`}
            data-kind={e.kind}
            data-place={e.place}
            data-client-id={e.clientId}
          >
            <span class="entry-time">{timeOfDay(w, e.enteredAt)}</span>
            <span class="entry-kind">{w.t(KIND[e.kind])}</span>
            <Body e={e} />
            <Where e={e} />
          </li>
        ))}
      </ol>
    </section>
  );
}
