import { render } from 'preact';
import { useEffect, useReducer, useState } from 'preact/hooks';
import type { WireEvents, WireObservation } from '../../runtime/http/wire.ts';
import { formatMb, formatObservation } from './format.ts';
import { codeName, t, timeOfDay, unitName, type Locale } from './i18n.ts';
import { openLiveChannel } from './live-channel.ts';
import { INITIAL_STATE, latestByCode, reduce, type LiveAction, type LiveState } from './live-state.ts';
import { PairingScreen } from './pairing-screen.tsx';
import {
  authFetch,
  clearSession,
  codeFromHash,
  loadSession,
  saveSession,
  UnauthorizedError,
  type TabletSession,
} from './tablet-auth.ts';

function useLiveEvents(
  session: TabletSession,
  dispatch: (a: LiveAction) => void,
  onRevoked: () => void,
): void {
  useEffect(() => {
    const reload = () =>
      void authFetch(session, '/api/observations?limit=100')
        .then((r) => {
          if (!r.ok) throw new Error(`HTTP ${r.status}`);
          return r.json() as Promise<WireObservation[]>;
        })
        .then((observations) => dispatch({ type: 'loaded', observations }))
        .catch((err: unknown) => {
          if (err instanceof UnauthorizedError) onRevoked();
          // The live stream still works; the log just starts empty.
          else dispatch({ type: 'online', online: false });
        });
    const data = <K extends keyof WireEvents>(raw: string) => JSON.parse(raw) as WireEvents[K];
    return openLiveChannel({
      url: '/api/live',
      token: session.token,
      onStatus: (s) => {
        if (s === 'unauthorized') onRevoked();
        else if (s === 'offline') dispatch({ type: 'online', online: false });
      },
      onMessage: (m) => {
        switch (m.event) {
          case 'hello': {
            const hello = data<'hello'>(m.data);
            dispatch({ type: 'hello', data: hello });
            // A resumed stream replays what was missed; a new one starts from a fresh load.
            if (!hello.resumed) reload();
            break;
          }
          case 'reset':
            reload();
            break;
          case 'observations':
            dispatch({ type: 'observations', observations: data<'observations'>(m.data) });
            break;
          case 'instrument':
            dispatch({ type: 'instrument', data: data<'instrument'>(m.data) });
            break;
          case 'preview':
            dispatch({ type: 'preview', data: data<'preview'>(m.data) });
            break;
          case 'store-error':
            dispatch({ type: 'store-error', data: data<'store-error'>(m.data) });
            break;
          case 'storage':
            dispatch({ type: 'storage', data: data<'storage'>(m.data) });
            break;
        }
      },
    });
  }, [session, dispatch, onRevoked]);
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

/**
 * Readings not being stored (and how many were lost), or a disk running low: shown above
 * everything. After writing resumes, the count stays until someone taps "understood", because
 * those measurements must be taken again.
 */
function StorageBanner({
  storage,
  storeError,
  locale,
}: {
  storage: LiveState['storage'];
  storeError: string | null;
  locale: Locale;
}) {
  const [understood, setUnderstood] = useState(0);
  if (!storage) return null;
  const lost = storage.notStoredTotal;
  return (
    <div data-testid="storage" data-writable={String(storage.writable)} data-not-stored={lost}>
      {!storage.writable && (
        <p class="error" role="alert">
          <b>{t(locale, 'storeError')}</b> {t(locale, 'notStoredCount')}: <b class="count">{lost}</b>
          {storeError && <span class="detail"> {storeError}</span>}
        </p>
      )}
      {storage.writable && lost > understood && (
        <p class="warning" role="status">
          {t(locale, 'storeResumed')} {t(locale, 'notStoredCount')}: <b class="count">{lost}</b>.{' '}
          {t(locale, 'remeasure')}{' '}
          <button type="button" onClick={() => setUnderstood(lost)}>
            {t(locale, 'understood')}
          </button>
        </p>
      )}
      {storage.lowSpace && (
        <p class="warning" role="status" data-testid="low-space">
          {t(locale, 'lowSpace')}: <b>{formatMb(storage.freeBytes)}</b> {t(locale, 'mb')}
        </p>
      )}
    </div>
  );
}

function LiveScreen({
  session,
  locale,
  setLocale,
  onRevoked,
}: {
  session: TabletSession;
  locale: Locale;
  setLocale: (l: Locale) => void;
  onRevoked: () => void;
}) {
  const [state, dispatch] = useReducer(reduce, INITIAL_STATE);
  useLiveEvents(session, dispatch, onRevoked);
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
      <StorageBanner storage={state.storage} storeError={state.storeError} locale={locale} />
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

function App() {
  const [locale, setLocale] = useState<Locale>('ru');
  const [session, setSession] = useState<TabletSession | null>(() => loadSession());
  const [notice, setNotice] = useState<string | null>(null);
  const [initialCode] = useState(() => codeFromHash(location.hash));
  useEffect(() => {
    // The pairing code came in the fragment: keep it out of the history once read.
    if (initialCode !== null) history.replaceState(null, '', '/');
  }, [initialCode]);
  const [onRevoked] = useState(() => () => {
    clearSession();
    setSession(null);
    setNotice(t(locale, 'revoked'));
  });
  if (session === null)
    return (
      <main lang={locale}>
        <PairingScreen
          locale={locale}
          initialCode={initialCode}
          notice={notice}
          onPaired={(s) => {
            saveSession(s);
            setNotice(null);
            setSession(s);
          }}
        />
      </main>
    );
  return <LiveScreen session={session} locale={locale} setLocale={setLocale} onRevoked={onRevoked} />;
}

render(<App />, document.getElementById('app')!);
