import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type {
  WireDiscoveredInstrument,
  WireInstrument,
  WirePairingSession,
} from '../../../../runtime/http/wire.ts';
import type { TextKey } from '../../../shared/i18n/i18n.ts';
import { InstrumentCard, profileName } from '../components/instrument-card.tsx';
import { PairingPanel } from '../components/pairing-panel.tsx';
import { KitRefusal } from '../net/api.ts';
import { useCell } from '../state/cell.ts';
import { useApp, useWords } from '../state/context.ts';

/** What `GET /api/instruments/pairings` answers. */
interface Pairings {
  readonly supported: boolean;
  readonly sessions: readonly WirePairingSession[];
}

/** Least time between two reads of the counters while readings stream in. */
const COUNTER_REFRESH_MS = 1000;

type Notice = { readonly text: string; readonly ok: boolean } | null;

const later = (a: string | null, b: string | null): string | null =>
  a === null || (b !== null && b > a) ? b : a;

/**
 * An instrument as last read from the list and as last announced live: the live state, and
 * counters that only grow, so whichever source saw more is shown (readings are not announced
 * one by one, state changes are).
 */
function newest(read: WireInstrument, announced: WireInstrument | undefined): WireInstrument {
  if (!announced) return read;
  return {
    ...read,
    ...announced,
    readings: Math.max(read.readings, announced.readings),
    dropped: Math.max(read.dropped, announced.dropped),
    reconnects: Math.max(read.reconnects, announced.reconnects),
    duplicates: Math.max(read.duplicates, announced.duplicates),
    lastReadingAt: later(read.lastReadingAt, announced.lastReadingAt),
    lastSeenAt: later(read.lastSeenAt, announced.lastSeenAt),
    battery: announced.battery ?? read.battery,
  };
}

/** The refusal a person can act on, in words. */
function refusalKey(err: unknown): TextKey {
  if (!(err instanceof KitRefusal)) return 'needsKit';
  if (err.status === 403) return 'noRights';
  if (err.code === 'not_available') return 'notAvailable';
  if (err.code === 'no_driver') return 'noDriver';
  return 'pairingFailed';
}

/**
 * The instrument screen: the instruments the kit keeps connected (state, battery, last seen,
 * counters; forget with confirmation), "Найти приборы" to list unknown ones in range, and adding
 * one: paired with its passkey typed on this tablet where the kit's radio bonds, else
 * remembered as is. Lists come from the one instrument API; states and pairing questions live.
 */
export function InstrumentsScreen() {
  const app = useApp();
  const w = useWords();
  const live = useCell(app.live);
  const api = app.instrumentsApi;
  const [known, setKnown] = useState<readonly WireInstrument[] | null>(null);
  const [nearby, setNearby] = useState<readonly WireDiscoveredInstrument[] | null>(null);
  const [canPair, setCanPair] = useState(false);
  const [scanning, setScanning] = useState(false);
  const [sessionId, setSessionId] = useState<string | null>(null);
  const [started, setStarted] = useState<WirePairingSession | null>(null);
  const [notice, setNotice] = useState<Notice>(null);

  const refresh = useCallback(async () => {
    try {
      const [list, found, pairings] = await Promise.all([
        api.get<WireInstrument[]>('/api/instruments'),
        api.get<WireDiscoveredInstrument[]>('/api/instruments/discovered'),
        api.get<Pairings>('/api/instruments/pairings'),
      ]);
      setKnown(list);
      setNearby(found);
      setCanPair(pairings.supported);
      // A question left open (another tablet started it, or this one reloaded) is picked up.
      const open = pairings.sessions.find((s) => s.endedAt === null);
      if (open) {
        setStarted(open);
        setSessionId(open.id);
      }
    } catch (err) {
      setNotice({ text: w.t(refusalKey(err)), ok: false });
    }
  }, [api]);
  useEffect(() => void refresh(), [refresh]);
  // Counters move with every reading, which the live channel does not announce per instrument
  // (readings arrive as observations): the list is read again while new readings come in.
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    if (Object.keys(live.latest).length === 0 || pending.current !== null) return;
    pending.current = setTimeout(() => {
      pending.current = null;
      api
        .get<WireInstrument[]>('/api/instruments')
        .then(setKnown)
        .catch(() => undefined);
    }, COUNTER_REFRESH_MS);
  }, [live.latest]);
  useEffect(() => () => clearTimeout(pending.current ?? undefined), []);

  // The session as the kit last announced it (the start answer until the first event).
  const session = sessionId ? (live.pairings[sessionId] ?? started) : null;
  useEffect(() => {
    if (!session?.endedAt) return;
    const name = session.deviceName;
    setNotice(
      session.state === 'bonded'
        ? { text: w.t('pairingBonded', { name }), ok: true }
        : { text: w.t(session.state === 'cancelled' ? 'pairingCancelled' : 'pairingFailed'), ok: false },
    );
    setSessionId(null);
    setStarted(null);
    void refresh();
  }, [session?.endedAt]);

  const scan = async () => {
    setNotice(null);
    setScanning(true);
    try {
      setNearby(await api.send<WireDiscoveredInstrument[]>('POST', '/api/instruments/scan', {}));
    } catch (err) {
      setNotice({ text: w.t(refusalKey(err)), ok: false });
    } finally {
      setScanning(false);
    }
  };

  const add = async (d: WireDiscoveredInstrument) => {
    setNotice(null);
    try {
      if (canPair) {
        const s = await api.send<WirePairingSession>('POST', '/api/instruments/pair', { id: d.id });
        setStarted(s);
        setSessionId(s.id);
      } else {
        await api.send('POST', '/api/instruments/remember', { id: d.id });
        await refresh();
      }
    } catch (err) {
      setNotice({ text: w.t(refusalKey(err)), ok: false });
    }
  };

  const forget = async (i: WireInstrument) => {
    setNotice(null);
    try {
      await api.send('POST', '/api/instruments/forget', { id: i.id });
      setNotice({ text: w.t('forgotten', { name: i.name }), ok: true });
      await refresh();
    } catch (err) {
      setNotice({ text: w.t(refusalKey(err)), ok: false });
    }
  };

  const pairingPath = (s: WirePairingSession, what: 'answer' | 'cancel') =>
    `/api/instruments/pairings/${encodeURIComponent(s.id)}/${what}`;
  const remembered = (known ?? []).map((k) => newest(k, live.instruments[k.id]));
  const pairingNow = session !== null && session.endedAt === null;
  return (
    <section class="screen instruments" data-testid="instruments-screen">
      <div class="screen-head">
        <h1>{w.t('instrumentsKnown')}</h1>
        <button
          type="button"
          class="primary big"
          data-testid="find-instruments"
          disabled={scanning || pairingNow}
          onClick={() => void scan()}
        >
          {scanning ? w.t('searching') : w.t('findInstruments')}
        </button>
      </div>
      {notice && (
        <p class={notice.ok ? 'toast' : 'notice'} data-testid="instruments-notice" role="status">
          {notice.text}
        </p>
      )}
      {session && pairingNow && (
        <PairingPanel
          session={session}
          answer={async (body) => {
            try {
              await api.send('POST', pairingPath(session, 'answer'), body);
            } catch (err) {
              setNotice({ text: w.t(refusalKey(err)), ok: false });
            }
          }}
          cancel={async () => {
            await api.send('POST', pairingPath(session, 'cancel')).catch(() => undefined);
          }}
        />
      )}
      {known !== null && remembered.length === 0 && <p class="hint">{w.t('noKnownInstruments')}</p>}
      <ul class="instrument-list" data-testid="instrument-list">
        {remembered.map((i) => (
          <InstrumentCard
            key={i.id}
            instrument={i}
            measuring={live.previews[i.id] !== undefined || i.download !== null}
            onForget={forget}
          />
        ))}
      </ul>
      {nearby !== null && (
        <section class="panel nearby" data-testid="nearby">
          <h2>{w.t('nearbyTitle')}</h2>
          {nearby.length === 0 && <p class="hint">{w.t('nothingNearby')}</p>}
          <ul class="nearby-list">
            {nearby.map((d) => (
              <li key={d.id} class="nearby-row" data-testid="nearby-device" data-id={d.id}>
                <span class="nearby-name">
                  <b>{d.name}</b>
                  <span class="sub">
                    {d.profile ? profileName(w, d.profile) : w.t('noDriver')}
                    {d.rssi !== null && ` · ${w.t('signal', { n: d.rssi })}`}
                  </span>
                </span>
                <button
                  type="button"
                  data-testid="add-instrument"
                  disabled={d.profile === null || pairingNow}
                  onClick={() => void add(d)}
                >
                  {canPair ? w.t('pair') : w.t('addInstrument')}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </section>
  );
}
