import { useCell } from '../state/cell.ts';
import { useApp, useWords } from '../state/context.ts';
import { OutboxSummary } from './outbox-summary.tsx';

const LABEL = {
  online: 'linkOnline',
  offline: 'linkOffline',
  connecting: 'linkConnecting',
  unpaired: 'linkUnpaired',
} as const;
const ICON = { online: '●', offline: '○', connecting: '◌', unpaired: '◇' } as const;

/** The header on every screen: where the kit is, what waits to be sent, language, instruments. */
export function StatusBar() {
  const app = useApp();
  const w = useWords();
  const link = useCell(app.link);
  const fresh = useCell(app.newAnswers);
  const latest = fresh.at(-1);
  return (
    <header class={latest ? 'bar has-badge' : 'bar'}>
      <a
        class="brand"
        href="/"
        onClick={(e) => {
          e.preventDefault();
          app.navigate({ name: 'patients' });
        }}
      >
        {w.t('appTitle')}
      </a>
      <span class={`link link-${link}`} data-testid="link-status" data-state={link} role="status">
        <span aria-hidden="true">{ICON[link]}</span> {w.t(LABEL[link])}
      </span>
      <OutboxSummary />
      {latest && (
        <button
          type="button"
          class="answers-badge"
          data-testid="answers-badge"
          data-count={fresh.length}
          onClick={() => app.navigate({ name: 'visit', id: latest.visitId })}
        >
          ✉ {w.n('newAnswers', fresh.length)}
        </button>
      )}
      <span class="bar-end">
        <button
          type="button"
          class="ghost"
          data-testid="open-instruments"
          onClick={() => app.navigate({ name: 'instruments' })}
        >
          {w.t('instruments')}
        </button>
        <button
          type="button"
          class="ghost"
          data-testid="language"
          onClick={() => app.setLocale(w.locale === 'ru' ? 'en' : 'ru')}
        >
          {w.t('language')}
        </button>
      </span>
    </header>
  );
}
