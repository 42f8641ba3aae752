import { render } from 'preact';
import { useEffect, useReducer, useState } from 'preact/hooks';
import type { WireEvents, WireObservation } from '../../runtime/http/wire.ts';
import { formatObservation } from './format.ts';
import { codeName, t, timeOfDay, unitName, type Locale } from './i18n.ts';
import { INITIAL_STATE, latestByCode, reduce, type LiveAction } from './live-state.ts';

function useLiveEvents(dispatch: (a: LiveAction) => void): void {
  useEffect(() => {
    const source = new EventSource('/api/events');
    const on = <K extends keyof WireEvents>(name: K, handle: (data: WireEvents[K]) => void): void =>
      source.addEventListener(name, (e) =>
        handle(JSON.parse((e as MessageEvent<string>).data) as WireEvents[K]),
      );
    on('hello', (data) => {
      dispatch({ type: 'hello', data });
      void fetch('/api/observations?limit=100')
        .then((r) => {
          if (!r.ok) throw new Error(`HTTP ${r.status}`);
          return r.json() as Promise<WireObservation[]>;
        })
        .then((observations) => dispatch({ type: 'loaded', observations }))
        // The live stream still works; the log just starts empty. EventSource retries on its own.
        .catch(() => dispatch({ type: 'online', online: false }));
    });
    on('observations', (observations) => dispatch({ type: 'observations', observations }));
    on('instrument', (data) => dispatch({ type: 'instrument', data }));
    on('preview', (data) => dispatch({ type: 'preview', data }));
    on('store-error', (data) => dispatch({ type: 'store-error', data }));
    source.onerror = () => dispatch({ type: 'online', online: false });
    return () => source.close();
  }, [dispatch]);
}

function ReadingCard({ o, locale }: { o: WireObservation; locale: Locale }) {
  return (
    <li class="card" data-testid={`reading-${o.loinc}`} data-recorded-at={o.recordedAt} data-id={o.id}>
      <div class="card-name">{codeName(locale, o.loinc, o.display)}</div>
      <div class="card-value">{formatObservation(locale, o)}</div>
      <div class="card-meta">
        {timeOfDay(locale, o.effectiveAt)} · {o.deviceName ?? o.deviceId} ·{' '}
        <span class="saved">✓ {t(locale, 'saved')}</span>
      </div>
    </li>
  );
}

function App() {
  const [state, dispatch] = useReducer(reduce, INITIAL_STATE);
  const [locale, setLocale] = useState<Locale>('ru');
  useLiveEvents(dispatch);
  const latest = latestByCode(state.history);
  return (
    <main lang={locale}>
      <header>
        <h1>{t(locale, 'title')}</h1>
        <span class={state.online ? 'status online' : 'status offline'} data-testid="link-status">
          {t(locale, state.online ? 'online' : 'offline')}
        </span>
        <button type="button" onClick={() => setLocale(locale === 'ru' ? 'en' : 'ru')}>
          {t(locale, 'language')}
        </button>
      </header>
      {state.storeError && (
        <p class="error" role="alert">
          {t(locale, 'storeError')}: {state.storeError}
        </p>
      )}
      <section>
        <h2>{t(locale, 'instruments')}</h2>
        <ul class="instruments">
          {Object.values(state.instruments).map((i) => (
            <li key={i.id} data-testid={`instrument-${i.id}`} data-state={i.state}>
              <b>{i.name}</b> — {t(locale, i.state)} · {i.readings} {t(locale, 'readings')}
              {i.dropped > 0 && ` · ${i.dropped} ${t(locale, 'dropped')}`}
            </li>
          ))}
        </ul>
        {state.preview && (
          <p class="preview" data-testid="cuff-preview">
            {t(locale, 'cuff')}: {state.preview.value ?? '—'} {unitName(locale, state.preview.unit)} (
            {t(locale, 'notStored')})
          </p>
        )}
      </section>
      <section>
        <h2>{t(locale, 'latest')}</h2>
        {latest.length === 0 ? (
          <p>{t(locale, 'noReadings')}</p>
        ) : (
          <ul class="cards">
            {latest.map((o) => (
              <ReadingCard key={`${o.loinc}|${o.deviceId}`} o={o} locale={locale} />
            ))}
          </ul>
        )}
      </section>
      <section>
        <h2>{t(locale, 'history')}</h2>
        <ol class="history" data-testid="history">
          {state.history.slice(0, 30).map((o) => (
            <li key={o.id}>
              {timeOfDay(locale, o.effectiveAt)} {codeName(locale, o.loinc, o.display)}:{' '}
              {formatObservation(locale, o)}
            </li>
          ))}
        </ol>
      </section>
    </main>
  );
}

render(<App />, document.getElementById('app')!);
