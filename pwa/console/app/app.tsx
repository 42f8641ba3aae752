import { UpdatePrompt } from './components/update-prompt.tsx';
import { t } from './i18n.ts';
import { CaseScreen } from './screens/case-screen.tsx';
import { CoordinatorScreen } from './screens/coordinator-screen.tsx';
import { EnrolScreen } from './screens/enrol-screen.tsx';
import { QueueScreen } from './screens/queue-screen.tsx';
import { StartFailedScreen } from './screens/start-failed-screen.tsx';
import { UnlockScreen } from './screens/unlock-screen.tsx';
import { useConsole } from './use-console.ts';

function HubBadge() {
  const state = useConsole();
  const { hub } = state;
  const text =
    hub.state === 'up' ? t('hubUp') : hub.state === 'connecting' ? t('hubConnecting') : t('hubDown');
  return (
    <span class={`hub-badge hub-${hub.state}`} data-hub={hub.state} title={hub.reason ?? ''}>
      {text}
    </span>
  );
}

/** The console's shell: a header with the identity and the hub state, and the current screen. */
export function App() {
  const state = useConsole();
  const { phase } = state;
  return (
    <div class="console">
      <header class="top">
        <h1>{t('appTitle')}</h1>
        {phase.kind === 'ready' ? (
          <>
            <span class="who">{state.identity}</span>
            <HubBadge />
          </>
        ) : null}
        <UpdatePrompt />
      </header>
      <main>
        {phase.kind === 'loading' ? null : phase.kind === 'failed' ? (
          <StartFailedScreen />
        ) : phase.kind === 'enrol' ? (
          <EnrolScreen />
        ) : phase.kind === 'unlock' ? (
          <UnlockScreen />
        ) : (
          <>
            {state.directoryRefusal ? (
              <p class="error" role="alert">
                {state.directoryRefusal}
              </p>
            ) : null}
            {state.role === 'coordinator' ? (
              <CoordinatorScreen />
            ) : (
              <>
                {state.directory && !state.inDirectory ? <p class="warning">{t('notInDirectory')}</p> : null}
                {state.openCase ? (
                  <CaseScreen key={state.openCase} itemId={state.openCase} />
                ) : (
                  <QueueScreen />
                )}
              </>
            )}
          </>
        )}
      </main>
    </div>
  );
}
