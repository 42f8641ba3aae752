import { useState } from 'preact/hooks';
import type { WirePairingSession } from '../../../../runtime/http/wire.ts';
import { useWords } from '../state/context.ts';

/** The six digits a BLE passkey shows as (leading zeros kept). */
function sixDigits(n: number): string {
  return String(n).padStart(6, '0');
}

/**
 * A pairing in progress, as BlueZ asks it through the kit: the passkey the instrument shows is
 * typed here (a big numeric field, digits only, 48dp+ targets for gloved hands), a number to
 * confirm, or a passkey to type on the instrument. Answers go to the kit; the outcome arrives
 * as the next live `pairing` event.
 */
export function PairingPanel(props: {
  session: WirePairingSession;
  answer: (body: { passkey: number } | { accept: boolean }) => Promise<void>;
  cancel: () => Promise<void>;
}) {
  const w = useWords();
  const s = props.session;
  const [digits, setDigits] = useState('');
  const [busy, setBusy] = useState(false);
  const act = (fn: () => Promise<void>) => {
    setBusy(true);
    void fn().finally(() => setBusy(false));
  };
  const prompt = s.state === 'waiting-for-answer' || s.state === 'showing-passkey' ? s.prompt : null;
  return (
    <section class="panel pairing" data-testid="pairing-panel" data-state={s.state} aria-live="polite">
      <h2>{w.t('pairingWith', { name: s.deviceName })}</h2>
      {prompt?.kind === 'enter-passkey' && (
        <form
          class="passkey-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (digits.length === 6) act(() => props.answer({ passkey: Number(digits) }));
          }}
        >
          <label class="passkey-label" for="passkey">
            {w.t('passkeyPrompt')}
          </label>
          <input
            id="passkey"
            class="passkey-input"
            data-testid="passkey-input"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]{6}"
            maxLength={6}
            placeholder="000000"
            aria-describedby="passkey-hint"
            value={digits}
            onInput={(e) => setDigits((e.target as HTMLInputElement).value.replace(/\D/g, '').slice(0, 6))}
          />
          <span id="passkey-hint" class="hint">
            {w.t('passkeyDigits')}
          </span>
          <div class="actions">
            <button
              type="submit"
              class="primary big"
              data-testid="passkey-submit"
              disabled={busy || digits.length !== 6}
            >
              {w.t('confirmPasskey')}
            </button>
            <button type="button" class="big" disabled={busy} onClick={() => act(props.cancel)}>
              {w.t('cancel')}
            </button>
          </div>
        </form>
      )}
      {(prompt?.kind === 'confirm-passkey' || prompt?.kind === 'authorize') && (
        <div>
          <p>{w.t(prompt.kind === 'authorize' ? 'authorize' : 'passkeyConfirm')}</p>
          {prompt.kind === 'confirm-passkey' && <p class="passkey-shown">{sixDigits(prompt.passkey)}</p>}
          <div class="actions">
            <button
              type="button"
              class="primary big"
              disabled={busy}
              onClick={() => act(() => props.answer({ accept: true }))}
            >
              {w.t('yes')}
            </button>
            <button
              type="button"
              class="big"
              disabled={busy}
              onClick={() => act(() => props.answer({ accept: false }))}
            >
              {w.t('no')}
            </button>
          </div>
        </div>
      )}
      {prompt?.kind === 'display-passkey' && (
        <div>
          <p>{w.t('passkeyDisplay')}</p>
          <p class="passkey-shown" data-testid="passkey-shown">
            {sixDigits(prompt.passkey)}
          </p>
        </div>
      )}
      {!prompt && s.state === 'pairing' && (
        <p class="hint" data-testid="pairing-working">
          ◌ {w.t('pairingWorking')}
        </p>
      )}
    </section>
  );
}
