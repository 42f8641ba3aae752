import { useCell } from '../state/cell.ts';
import { useApp, useWords } from '../state/context.ts';
import { OutboxSummary } from './outbox-summary.tsx';

/** The header on every screen: where the kit is, what waits to be sent, language, instruments. */
export function StatusBar() {
  const app = useApp();
  const w = useWords();
  const link = useCell(app.link);
  const fresh = useCell(app.newAnswers);
  const latest = fresh.at(-1);
  const label = link === 'online' ? 'linkOnline' : link === 'offline' ? 'linkOffline' : 'linkConnecting';
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
        <span aria-hidden="true">{link === 'online' ? '●' : link === 'offline' ? '○' : '◌'}</span>{' '}
        {w.t(label)}
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
