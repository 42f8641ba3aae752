import { Component } from 'preact';
import type { WireEvents, WireInstrument, WireObservation } from '../../../../runtime/http/wire.ts';
import { codeName, timeOfDay, unitName, valueText, valueUnit } from '../format.ts';
import { useCell } from '../state/cell.ts';
import { useApp, useWords, type Words } from '../state/context.ts';
import type { DeviceValues } from '../state/live-model.ts';
import type { DisplayEntry } from '../state/visit-model.ts';

interface CardProps {
  readonly w: Words;
  readonly instrument: WireInstrument;
  readonly values: DeviceValues | undefined;
  readonly preview: WireEvents['preview'] | undefined;
  /** Ids of this instrument's readings kept in the visit, joined (a string, so it compares cheaply). */
  readonly kept: string;
  readonly onKeep: (o: WireObservation) => void;
}

function stateWord(w: Words, i: WireInstrument): string {
  return w.t(
    i.state === 'connected' ? 'connected' : i.state === 'connecting' ? 'connecting' : 'disconnected',
  );
}

/**
 * One instrument with its live values. Redrawn only when something of its own changed: with a
 * dozen instruments streaming, the others' readings do not touch it.
 */
class InstrumentCard extends Component<CardProps> {
  override shouldComponentUpdate(next: CardProps): boolean {
    const p = this.props;
    return (
      next.instrument !== p.instrument ||
      next.values !== p.values ||
      next.preview !== p.preview ||
      next.kept !== p.kept ||
      next.w.locale !== p.w.locale
    );
  }

  override render({ w, instrument: i, values, preview, kept, onKeep }: CardProps) {
    const keptIds = new Set(kept.split(' '));
    return (
      <div class="instrument" data-testid={`instrument-${i.id}`} data-state={i.state}>
        <div class="instrument-head">
          <b>{i.name}</b>
          <span class={`state state-${i.state}`}>
            {i.state === 'connected' ? '●' : '○'} {stateWord(w, i)}
          </span>
        </div>
        <div class="live-values">
          {Object.values(values ?? {}).map((o) => {
            const isKept = keptIds.has(o.id);
            return (
              <div
                key={o.loinc}
                class="live-value"
                data-testid={`live-${o.loinc}`}
                data-observation-id={o.id}
                data-effective-at={o.effectiveAt}
              >
                <span class="live-name">{codeName(w, o)}</span>
                <span class="live-number">
                  {valueText(w, o)} <small>{valueUnit(w, o)}</small>
                </span>
                <span class="live-time">
                  {w.t('liveValue')} {timeOfDay(w, o.effectiveAt)}
                </span>
                <button
                  type="button"
                  class={isKept ? 'keep kept' : 'keep primary'}
                  disabled={isKept}
                  data-testid={`keep-${o.loinc}`}
                  onClick={() => onKeep(o)}
                >
                  {isKept ? `✓ ${w.t('kept')}` : `+ ${w.t('keep')}`}
                </button>
              </div>
            );
          })}
        </div>
        {preview && preview.value !== null && (
          <p class="preview">
            {preview.value} {unitName(w, preview.unit)} ({w.t('notStored')})
          </p>
        )}
      </div>
    );
  }
}

/** Each instrument with its state and its live values; one tap keeps a value in the visit. */
export function LivePanel({ visitId, entries }: { visitId: string; entries: readonly DisplayEntry[] }) {
  const app = useApp();
  const w = useWords();
  const live = useCell(app.live);
  const keptBy = new Map<string, string[]>();
  for (const e of entries)
    if (e.kind === 'keep' && e.observation)
      keptBy.set(e.observation.deviceId, [...(keptBy.get(e.observation.deviceId) ?? []), e.observation.id]);
  const instruments = Object.values(live.instruments);
  const keep = (o: WireObservation) => void app.addEntry(visitId, { kind: 'keep', observation: o });
  return (
    <section class="panel" data-testid="live-panel">
      <h2>{w.t('instruments')}</h2>
      {instruments.length === 0 && <p class="hint">{w.t('noInstruments')}</p>}
      {instruments.map((i) => (
        <InstrumentCard
          key={i.id}
          w={w}
          instrument={i}
          values={live.latest[i.id]}
          preview={live.previews[i.id]}
          kept={(keptBy.get(i.id) ?? []).join(' ')}
          onKeep={keep}
        />
      ))}
    </section>
  );
}
