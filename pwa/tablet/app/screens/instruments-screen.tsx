import { useState } from 'preact/hooks';
import type { WireInstrument } from '../../../../runtime/http/wire.ts';
import { KitRefusal } from '../net/api.ts';
import { useCell } from '../state/cell.ts';
import { useApp, useWords } from '../state/context.ts';

type Counted = WireInstrument & { readonly battery?: number | null };

/**
 * The instruments the kit knows: state, battery and counters; pairing (the passkey is typed
 * here, on the tablet) and forgetting, through the kit's instrument manager.
 */
export function InstrumentsScreen() {
  const app = useApp();
  const w = useWords();
  const live = useCell(app.live);
  const [notice, setNotice] = useState<string | null>(null);
  const act = async (method: 'POST' | 'DELETE', path: string) => {
    setNotice(null);
    try {
      await app.instrumentsApi.send(method, path);
    } catch (err) {
      setNotice(
        err instanceof KitRefusal && err.code === 'not_available' ? w.t('notAvailable') : w.t('needsKit'),
      );
    }
  };
  const list = Object.values(live.instruments) as Counted[];
  return (
    <section class="screen instruments" data-testid="instruments-screen">
      <h1>{w.t('instruments')}</h1>
      {notice && <p class="notice">{notice}</p>}
      {list.length === 0 && <p class="hint">{w.t('noInstruments')}</p>}
      <ul class="instrument-list">
        {list.map((i) => (
          <li key={i.id} class="instrument" data-state={i.state}>
            <div class="instrument-head">
              <b>{i.name}</b> <small>{i.profile}</small>
              <span class={`state state-${i.state}`}>
                {i.state === 'connected' ? '●' : '○'} {w.t(i.state)}
              </span>
            </div>
            <p class="counters">
              {w.n('readings', i.readings)} · {w.n('dropped', i.dropped)}
              {typeof i.battery === 'number' && ` · ${w.t('battery')} ${i.battery} %`}
            </p>
            {i.lastError && <p class="hint">{i.lastError}</p>}
            <div class="actions">
              <button
                type="button"
                onClick={() => void act('POST', `/api/instruments/${encodeURIComponent(i.id)}/pair`)}
              >
                {w.t('pair')}
              </button>
              <button
                type="button"
                onClick={() => void act('DELETE', `/api/instruments/${encodeURIComponent(i.id)}`)}
              >
                {w.t('forget')}
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
