import { useState } from 'preact/hooks';
import { t } from '../i18n.ts';
import { useConsole } from '../use-console.ts';

/** Every later start: the passphrase opens the keys kept sealed in IndexedDB. */
export function UnlockScreen() {
  const state = useConsole();
  const phase = state.phase.kind === 'unlock' ? state.phase : { kind: 'unlock' as const, identity: '' };
  const [passphrase, setPassphrase] = useState('');
  return (
    <form
      class="card narrow"
      onSubmit={(e) => {
        e.preventDefault();
        void state.unlock(passphrase);
      }}
    >
      <h2>{t('unlockTitle')}</h2>
      <p>{t('unlockIntro', { identity: phase.identity })}</p>
      <label>
        {t('passphrase')}
        <input
          name="passphrase"
          type="password"
          autocomplete="current-password"
          required
          value={passphrase}
          onInput={(e) => setPassphrase(e.currentTarget.value)}
        />
      </label>
      {phase.error ? (
        <p class="error" role="alert">
          {phase.error}
        </p>
      ) : null}
      <button type="submit" disabled={phase.busy}>
        {phase.busy ? t('unlockWorking') : t('unlockSubmit')}
      </button>
    </form>
  );
}
