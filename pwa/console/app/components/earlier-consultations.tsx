import { clock } from '../format.ts';
import { t } from '../i18n.ts';
import type { Consultation } from '../state.ts';

/**
 * The visit's earlier consultations (the kit names them in the request by item id): those this
 * console received, with their question, when, and whether answered, each openable; the others
 * (sent to another specialist) counted, since their content never reached this browser.
 */
export function EarlierConsultations(props: {
  ids: readonly string[];
  all: readonly Consultation[];
  onOpen: (itemId: string) => void;
}) {
  if (props.ids.length === 0) return <p class="empty">{t('earlierNone')}</p>;
  const known = props.ids.flatMap((id) => props.all.filter((c) => c.itemId === id));
  const missing = props.ids.length - known.length;
  return (
    <div class="earlier">
      <ul>
        {known.map((c) => (
          <li key={c.itemId} data-earlier={c.itemId}>
            <span class={`urgency ${c.urgency}`}>{c.urgency === 'urgent' ? t('urgent') : t('routine')}</span>{' '}
            {clock(c.sentAt)} · <span class="earlier-question">{c.question}</span>
            {c.conclusion !== 'none' ? <span class="done"> · {t('statusAnswered')}</span> : null}{' '}
            <button type="button" class="link" onClick={() => props.onOpen(c.itemId)}>
              {t('open')}
            </button>
          </li>
        ))}
      </ul>
      {missing > 0 ? <p class="hint">{t('earlierMissing', { n: missing })}</p> : null}
    </div>
  );
}
