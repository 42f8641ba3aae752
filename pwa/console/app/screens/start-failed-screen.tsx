import { t, type MessageKey } from '../i18n.ts';
import type { ConsoleDbError } from '../keys/console-db.ts';
import { useConsole } from '../use-console.ts';

const REASON: Readonly<Record<ConsoleDbError['code'], MessageKey>> = {
  blocked: 'startBlocked',
  timeout: 'startTimeout',
  version: 'startVersion',
  closed: 'startClosed',
  failed: 'startFailed',
};

/**
 * The console could not read its database at start (or lost it to another tab): why, in
 * Russian, and what to do, instead of a loading screen that never ends. A retry opens the
 * database again; where this page can no longer use it (`closed`, `version`) it reloads.
 */
export function StartFailedScreen() {
  const state = useConsole();
  const phase = state.phase;
  if (phase.kind !== 'failed') return null;
  const reload = phase.code === 'closed' || phase.code === 'version';
  return (
    <section class="card narrow" data-start="failed" data-reason={phase.code}>
      <h2>{t(phase.code === 'closed' ? 'startClosedTitle' : 'startFailedTitle')}</h2>
      <p class="error" role="alert">
        {t(REASON[phase.code], { why: phase.detail })}
      </p>
      {phase.code === 'failed' ? null : <p class="hint">{t('startDetail', { detail: phase.detail })}</p>}
      <button type="button" onClick={() => (reload ? location.reload() : void state.start())}>
        {t(reload ? 'startReload' : 'startRetry')}
      </button>
    </section>
  );
}
