import { useState } from 'preact/hooks';
import { t } from '../i18n.ts';
import { useConsole } from '../use-console.ts';

/**
 * Every later start: the passphrase opens the keys kept sealed in IndexedDB; a key record whose
 * signed fields were changed outside the console is refused here with the reason.
 */
export function UnlockScreen() {
  const state = useConsole();
  const phase = state.phase.kind === 'unlock' ? state.phase : { kind: 'unlock' as const, identity: '' };
  const [passphrase, setPassphrase] = useState('');
  // A record changed outside the console is refused for good: no form, the reason (never
  // re-trusted), and the one way on: remove it and enrol again.
  if (phase.tampered)
    return (
      <section class="card narrow" data-vault="tampered">
        <h2>{t('vaultTamperedTitle')}</h2>
        <p class="error" role="alert">
          {phase.tampered}
        </p>
        <button
          type="button"
          class="wrap"
          data-vault-forget
          onClick={() => {
            if (confirm(t('vaultForgetConfirm'))) void state.forgetRefusedKeys();
          }}
        >
          {t('vaultForget')}
        </button>
      </section>
    );
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
