import type { WireInstrument, WireObservation } from '../../../../runtime/http/wire.ts';
import { codeName, timeOfDay, unitName, valueText, valueUnit } from '../format.ts';
import { useCell } from '../state/cell.ts';
import { useApp, useWords, type Words } from '../state/context.ts';
import type { DisplayEntry } from '../state/visit-model.ts';

function stateWord(w: Words, i: WireInstrument): string {
  return w.t(
    i.state === 'connected' ? 'connected' : i.state === 'connecting' ? 'connecting' : 'disconnected',
  );
}

function Value({ o, kept, onKeep }: { o: WireObservation; kept: boolean; onKeep: () => void }) {
  const w = useWords();
  return (
    <div class="live-value" data-testid={`live-${o.loinc}`} data-observation-id={o.id}>
      <span class="live-name">{codeName(w, o)}</span>
      <span class="live-number">
        {valueText(w, o)} <small>{valueUnit(w, o)}</small>
      </span>
      <span class="live-time">
        {w.t('liveValue')} {timeOfDay(w, o.effectiveAt)}
      </span>
      <button
        type="button"
        class={kept ? 'keep kept' : 'keep primary'}
        disabled={kept}
        data-testid={`keep-${o.loinc}`}
        onClick={onKeep}
      >
        {kept ? `✓ ${w.t('kept')}` : `+ ${w.t('keep')}`}
      </button>
    </div>
  );
}

/** Each instrument with its state and its live values; one tap keeps a value in the visit. */
export function LivePanel({ visitId, entries }: { visitId: string; entries: readonly DisplayEntry[] }) {
  const app = useApp();
  const w = useWords();
  const live = useCell(app.live);
  const kept = new Set(
    entries.flatMap((e) => (e.kind === 'keep' && e.observation ? [e.observation.id] : [])),
  );
  const instruments = Object.values(live.instruments);
  const values = Object.values(live.latest);
  return (
    <section class="panel" data-testid="live-panel">
      <h2>{w.t('instruments')}</h2>
      {live.storeError && (
        <p class="notice" role="alert">
          {w.t('storeError')}
        </p>
      )}
      {instruments.length === 0 && <p class="hint">{w.t('noInstruments')}</p>}
      {instruments.map((i) => (
        <div key={i.id} class="instrument" data-testid={`instrument-${i.id}`} data-state={i.state}>
          <div class="instrument-head">
            <b>{i.name}</b>
            <span class={`state state-${i.state}`}>
              {i.state === 'connected' ? '●' : '○'} {stateWord(w, i)}
            </span>
          </div>
          <div class="live-values">
            {values
              .filter((o) => o.deviceId === i.id)
              .map((o) => (
                <Value
                  key={o.loinc}
                  o={o}
                  kept={kept.has(o.id)}
                  onKeep={() => void app.addEntry(visitId, { kind: 'keep', observation: o })}
                />
              ))}
          </div>
          {live.preview?.deviceId === i.id && live.preview.value !== null && (
            <p class="preview">
              {live.preview.value} {unitName(w, live.preview.unit)} ({w.t('notStored')})
            </p>
          )}
        </div>
      ))}
    </section>
  );
}
