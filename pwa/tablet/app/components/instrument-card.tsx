import { useState } from 'preact/hooks';
import type { WireInstrument } from '../../../../runtime/http/wire.ts';
import type { TextKey } from '../../../shared/i18n/i18n.ts';
import { timeOfDay } from '../format.ts';
import { instrumentErrorKey } from '../instrument-error.ts';
import { useWords, type Words } from '../state/context.ts';

const PROFILES: Readonly<Record<string, TextKey>> = {
  'blood-pressure': 'profileBloodPressure',
  glucose: 'profileGlucose',
  'pulse-oximeter': 'profilePulseOximeter',
  'contec-cms50': 'profilePulseOximeter',
  thermometer: 'profileThermometer',
  'heart-rate': 'profileHeartRate',
  'polar-ecg': 'profileEcg',
  'weight-scale': 'profileWeight',
  'body-composition': 'profileWeight',
};

/** What kind of instrument a driver profile is, in the tablet's words (never the profile id). */
export function profileName(w: Words, profile: string | null): string {
  return w.t((profile && PROFILES[profile]) || 'profileOther');
}

/**
 * One remembered instrument: its state in words and symbol (connected, measuring), battery, when
 * it was last heard, the counters that tell a flaky link (dropped frames, reconnects, duplicates
 * suppressed), what went wrong last in the tablet's words (the kit's raw error text only as a
 * detail), and "forget" behind a confirmation (stored readings stay).
 */
export function InstrumentCard(props: {
  instrument: WireInstrument;
  measuring: boolean;
  onForget: (i: WireInstrument) => Promise<void>;
}) {
  const w = useWords();
  const i = props.instrument;
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const stateWord = props.measuring && i.state === 'connected' ? w.t('measuring') : w.t(i.state);
  return (
    <li
      class="instrument-card panel"
      data-testid="instrument-card"
      data-id={i.id}
      data-state={i.state}
      data-measuring={String(props.measuring)}
    >
      <div class="instrument-head">
        <b class="instrument-name">{i.name}</b>
        <span class="sub">{profileName(w, i.profile)}</span>
        <span class={`state state-${i.state}`}>
          <span aria-hidden="true">
            {i.state === 'connected' ? '●' : i.state === 'connecting' ? '◌' : '○'}
          </span>{' '}
          {stateWord}
        </span>
        {i.bonded && <span class="tag">✓ {w.t('bonded')}</span>}
      </div>
      <div class="instrument-facts">
        <span class="fact" data-testid="battery">
          {w.t('battery')}: <b>{i.battery === null ? '—' : `${i.battery} %`}</b>
        </span>
        <span class="fact">
          {i.lastSeenAt ? w.t('lastSeen', { time: timeOfDay(w, i.lastSeenAt) }) : w.t('neverSeen')}
        </span>
      </div>
      <ul class="counters" data-testid="counters">
        <li data-counter="readings">{w.n('readings', i.readings)}</li>
        <li data-counter="dropped" class={i.dropped > 0 ? 'warn' : ''}>
          {w.n('dropped', i.dropped)}
        </li>
        <li data-counter="reconnects" class={i.reconnects > 0 ? 'warn' : ''}>
          {w.n('reconnects', i.reconnects)}
        </li>
        <li data-counter="duplicates">{w.n('duplicates', i.duplicates)}</li>
      </ul>
      {i.lastError && (
        <div class="instrument-error" role="status" data-testid="instrument-error">
          <p>
            <span aria-hidden="true">⚠ </span>
            {w.t(instrumentErrorKey(i.lastError))}
          </p>
          <details>
            <summary>{w.t('errorDetail')}</summary>
            <code lang="en" data-testid="instrument-error-raw">
              {i.lastError}
            </code>
          </details>
        </div>
      )}
      {confirming ? (
        <div class="confirm" role="alertdialog" data-testid="forget-confirm">
          <p>{w.t('forgetConfirm', { name: i.name })}</p>
          <div class="actions">
            <button
              type="button"
              class="danger"
              data-testid="forget-yes"
              disabled={busy}
              onClick={() => {
                setBusy(true);
                void props.onForget(i).finally(() => {
                  setBusy(false);
                  setConfirming(false);
                });
              }}
            >
              {w.t('forget')}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              {w.t('cancel')}
            </button>
          </div>
        </div>
      ) : (
        <div class="actions">
          <button type="button" data-testid="forget" onClick={() => setConfirming(true)}>
            {w.t('forget')}
          </button>
        </div>
      )}
    </li>
  );
}
