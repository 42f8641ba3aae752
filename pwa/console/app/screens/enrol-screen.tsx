import { useState } from 'preact/hooks';
import { t } from '../i18n.ts';
import { useConsole } from '../use-console.ts';

/**
 * The code of an enrolment link (`https://hub/#code=…`): in the fragment, which the browser never
 * sends to the hub.
 */
function codeFromLink(): string {
  const found = /(?:^#|&)code=([2-9A-Za-z-]{1,40})(?:&|$)/.exec(location.hash);
  return found?.[1] ?? '';
}

/** First run: the one-time code, a device name and the passphrase that will seal the new keys. */
export function EnrolScreen() {
  const state = useConsole();
  const phase = state.phase.kind === 'enrol' ? state.phase : { kind: 'enrol' as const };
  const [code, setCode] = useState(codeFromLink);
  const [label, setLabel] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [repeat, setRepeat] = useState('');
  return (
    <form
      class="card narrow"
      onSubmit={(e) => {
        e.preventDefault();
        void state.enrol({ code, label, passphrase, repeat });
      }}
    >
      <h2>{t('enrolTitle')}</h2>
      <p>{t('enrolIntro')}</p>
      <label>
        {t('enrolCode')}
        <input
          name="code"
          autocomplete="one-time-code"
          required
          value={code}
          onInput={(e) => setCode(e.currentTarget.value)}
        />
      </label>
      <label>
        {t('deviceLabel')}
        <input
          name="label"
          placeholder={t('deviceLabelDefault')}
          value={label}
          onInput={(e) => setLabel(e.currentTarget.value)}
        />
      </label>
      <label>
        {t('passphrase')}
        <input
          name="passphrase"
          type="password"
          autocomplete="new-password"
          required
          value={passphrase}
          onInput={(e) => setPassphrase(e.currentTarget.value)}
        />
      </label>
      <label>
        {t('passphraseRepeat')}
        <input
          name="repeat"
          type="password"
          autocomplete="new-password"
          required
          value={repeat}
          onInput={(e) => setRepeat(e.currentTarget.value)}
        />
      </label>
      <p class="hint">{t('passphraseHint')}</p>
      {phase.error ? (
        <p class="error" role="alert">
          {phase.error}
        </p>
      ) : null}
      <button type="submit" disabled={phase.busy}>
        {phase.busy ? t('enrolWorking') : t('enrolSubmit')}
      </button>
    </form>
  );
}
