import { useState } from 'preact/hooks';
import type { PairResponse } from '../../runtime/http/auth/pairing-routes.ts';
import { t, type Locale } from './i18n.ts';
import type { TabletSession } from './tablet-auth.ts';

/**
 * Pairing: the code from the kit (pre-filled when the tablet scanned the pairing QR, whose URL
 * carries it in the fragment, never sent to the server in a URL) and a name for the tablet,
 * exchanged once over HTTPS for the bearer token.
 */
export function PairingScreen(props: {
  locale: Locale;
  initialCode: string | null;
  notice: string | null;
  onPaired: (s: TabletSession) => void;
}) {
  const { locale } = props;
  const [code, setCode] = useState(props.initialCode ?? '');
  const [name, setName] = useState(t(locale, 'pairNameDefault'));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(props.notice);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await fetch('/api/pair', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ code, name }),
        credentials: 'omit',
      });
      if (res.status === 201) {
        const body = (await res.json()) as PairResponse;
        props.onPaired({ token: body.token, tablet: body.tablet });
        return;
      }
      setError(t(locale, res.status === 429 ? 'pairLimited' : 'pairFailed'));
    } catch {
      setError(t(locale, 'pairOffline'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="pair" onSubmit={(e) => void submit(e)} data-testid="pairing-screen">
      <h1>{t(locale, 'pairTitle')}</h1>
      <p>{t(locale, 'pairLead')}</p>
      <label>
        {t(locale, 'pairCode')}
        <input
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={9}
          value={code}
          onInput={(e) => setCode((e.target as HTMLInputElement).value)}
          required
        />
      </label>
      <label>
        {t(locale, 'pairName')}
        <input
          name="name"
          maxLength={64}
          value={name}
          onInput={(e) => setName((e.target as HTMLInputElement).value)}
          required
        />
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {t(locale, busy ? 'pairing' : 'pairButton')}
      </button>
    </form>
  );
}
