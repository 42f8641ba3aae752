import { useEffect, useState } from 'preact/hooks';
import { useCell } from '../state/cell.ts';
import { useApp, useWords } from '../state/context.ts';
import { codeFromHash, type PairFailure } from '../state/session.ts';

const FAILURE_TEXT = {
  wrong_code: 'pairWrong',
  rate_limited: 'pairLimited',
  unreachable: 'pairOffline',
} as const;

/**
 * Connecting the tablet to the kit: the one-time code from the kit's screen (pre-filled when the
 * tablet scanned the pairing QR, whose URL carries it in the fragment, never sent in a URL) and a
 * name for the tablet, exchanged once over HTTPS for the bearer token.
 */
export function PairingScreen() {
  const app = useApp();
  const w = useWords();
  const refused = useCell(app.session.refused);
  const [code, setCode] = useState(() => codeFromHash(location.hash) ?? '');
  const [name, setName] = useState(() => w.t('pairNameDefault'));
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<PairFailure | null>(null);
  // A pairing QR scanned while this screen is open changes only the fragment.
  useEffect(() => {
    const onHash = () => {
      const scanned = codeFromHash(location.hash);
      if (!scanned) return;
      setCode(scanned);
      setFailure(null);
    };
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setFailure(null);
    const result = await app.pair(code.replace(/[\s-]/g, ''), name.trim());
    setBusy(false);
    setFailure(result);
  };

  return (
    <form class="screen pair-form" data-testid="pairing-screen" onSubmit={(e) => void submit(e)}>
      <h1>{w.t('pairTablet')}</h1>
      {refused && (
        <p class="notice" role="alert" data-testid="pair-again">
          {w.t('pairAgain')}
        </p>
      )}
      <p class="hint">{w.t('pairLead')}</p>
      <label class="field">
        <span>{w.t('pairingCode')}</span>
        <input
          name="code"
          class="code-input"
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={11}
          value={code}
          onInput={(e) => setCode(e.currentTarget.value)}
          required
          data-testid="pair-code"
        />
      </label>
      <label class="field">
        <span>{w.t('deviceName')}</span>
        <input
          name="name"
          maxLength={64}
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
          required
        />
      </label>
      {failure && (
        <p class="notice" role="alert" data-testid="pair-failed">
          {w.t(FAILURE_TEXT[failure])}
        </p>
      )}
      <div class="actions">
        <button type="submit" class="primary" disabled={busy} data-testid="pair-submit">
          {w.t('pairSubmit')}
        </button>
      </div>
    </form>
  );
}
