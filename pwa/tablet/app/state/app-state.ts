import type {
  WireConsultationChange,
  WireOutboxItem,
  WirePatient,
  WirePatientSearch,
  WirePatientView,
  WireVisit,
  WireVisitView,
} from '../../../../runtime/http/api/wire-types.ts';
import type { WireObservation } from '../../../../runtime/http/wire.ts';
import type { WireLinkStatus } from '../../../../runtime/link/wire-link.ts';
import type { Locale } from '../../../shared/i18n/i18n.ts';
import type { ManualMeasure } from '../../../shared/manual-measure.ts';
import type { QueueItem } from '../db/schema.ts';
import type { TabletDb } from '../db/tablet-db.ts';
import type { KitApi } from '../net/api.ts';
import { callBus } from '../call/call-bus.ts';
import { createSender, type Sending } from '../net/sender.ts';
import type { LiveMessage, StreamStatus } from '../net/stream.ts';
import { parseRoute, pathOf, type Route } from '../router.ts';
import { Cell } from './cell.ts';
import type { TabletSession } from './session.ts';
import { EMPTY_LIVE, reduceLive, type LiveState } from './live-model.ts';
import { applyConsultationChange, applyVisitChange, mergeEntry } from './visit-model.ts';
import { WaveformBuffer } from './waveform-buffer.ts';

/**
 * The link to the kit as the status bar shows it (offline only after a short debounce).
 * `unpaired`: the kit answers but refuses this tablet (no token yet, or a revoked one): not the
 * same thing as a kit out of reach, and the fix is a pairing code, not the Wi-Fi.
 */
export type LinkState = 'online' | 'connecting' | 'offline' | 'unpaired';

/** The open visit: the kit's view of it, and whether that view came from the tablet's cache. */
export interface OpenVisit {
  readonly view: WireVisitView;
  readonly fromCache: boolean;
}

/** The kit's outbox as last fetched. */
export interface KitOutbox {
  readonly items: readonly WireOutboxItem[];
  readonly linkPresent: boolean;
}

/** What the app state is built from: real ones in main.tsx, test ones in tests. */
export interface AppDeps {
  readonly api: KitApi;
  readonly db: TabletDb;
  /** The tablet's pairing with the kit (its token). */
  readonly session: TabletSession;
  /** Creates THE live stream with the app's handlers. */
  readonly stream: (handlers: {
    onMessage: (m: LiveMessage) => void;
    onStatus: (s: StreamStatus) => void;
    onResume: () => void;
  }) => { start(): void; stop(): void };
  readonly now?: () => Date;
  readonly uuid?: () => string;
  readonly history?: History;
  readonly location?: Location;
  readonly offlineDebounceMs?: number;
}

/** A body the tablet enters in a visit (the kit's entry schema, without the ids it adds). */
export type EntryDraft =
  | { readonly kind: 'complaints' | 'note'; readonly text: string }
  | { readonly kind: 'manual'; readonly measure: ManualMeasure }
  | { readonly kind: 'keep'; readonly observation: WireObservation };

/** A consultation request as the composer makes it. */
export interface ConsultDraft {
  readonly question: string;
  readonly specialty: string;
  readonly urgency: 'urgent' | 'routine';
  readonly observationIds: readonly string[];
  readonly attachmentIds: readonly string[];
  readonly news2Total: number | null;
}

/** The whole app state: cells for screens to read, actions for them to call. */
export type AppState = ReturnType<typeof createAppState>;

/**
 * Builds the app state: the cells every screen reads and the actions they call. Everything the
 * feldsher enters goes into the tablet's queue first (IndexedDB, durable) and from there to the
 * kit, once each by client-made ids; the screens show each item where it really is.
 */
export function createAppState(deps: AppDeps) {
  const now = deps.now ?? (() => new Date());
  const uuid = deps.uuid ?? (() => crypto.randomUUID());
  const loc = deps.location ?? location;
  const hist = deps.history ?? history;

  const locale = new Cell<Locale>('ru');
  const route = new Cell<Route>(parseRoute(loc.pathname));
  const link = new Cell<LinkState>('connecting');
  const live = new Cell<LiveState>(EMPTY_LIVE);
  const visit = new Cell<OpenVisit | null>(null);
  const queue = new Cell<readonly QueueItem[]>([]);
  const sending = new Cell<Sending | null>(null);
  const kitOutbox = new Cell<KitOutbox | null>(null);
  /** The kit's link (hub and direct paths): read when the outbox opens, then kept current by live events. */
  const linkStatus = new Cell<WireLinkStatus | null>(null);
  const persisted = new Cell<boolean | null>(null);
  /** Specialists' answers that arrived live and were not looked at yet (the header's badge). */
  const newAnswers = new Cell<readonly { readonly visitId: string; readonly id: string }[]>([]);
  /** The service worker's news: the app is now cached for offline use; an update waits for a safe moment. */
  const worker = new Cell<{ readonly offlineReady: boolean; readonly updateWaiting: boolean }>({
    offlineReady: false,
    updateWaiting: false,
  });
  const waveforms = new WaveformBuffer(10);

  let offlineTimer: ReturnType<typeof setTimeout> | undefined;
  const setLink = (s: StreamStatus) => {
    if (s === 'unauthorized') {
      void unauthorized();
      return;
    }
    // Refused, the stream is stopped until a pairing: a failing request changes nothing then.
    if (link.value === 'unpaired' && s !== 'open') return;
    if (s === 'open') {
      clearTimeout(offlineTimer);
      offlineTimer = undefined;
      link.set('online');
      return;
    }
    // Debounced from the first failure on (retries do not restart it): a blink of the Wi-Fi is
    // not worth a red bar, a kit that stays away is.
    if (link.value === 'offline' || offlineTimer !== undefined) return;
    offlineTimer = setTimeout(() => {
      offlineTimer = undefined;
      link.set('offline');
    }, deps.offlineDebounceMs ?? 2000);
  };

  async function saveVisit(view: WireVisitView): Promise<void> {
    await deps.db.saveVisit({ id: view.visit.id, view, savedAt: now().toISOString() });
  }

  function setVisitView(view: WireVisitView, fromCache: boolean): void {
    visit.set({ view, fromCache });
    void saveVisit(view).catch(() => undefined);
  }

  const sender = createSender(deps.db, deps.api, {
    onQueue: (items, s) => {
      queue.set(items);
      sending.set(s);
    },
    onSent: (_item, result) => {
      const open = visit.value;
      if (!open) return;
      if (result.kind === 'entry') setVisitView(mergeEntry(open.view, result.entry), open.fromCache);
      else if (result.visit.id === open.view.visit.id)
        setVisitView({ ...open.view, visit: result.visit }, open.fromCache);
      if (result.kind === 'entry' && result.entry.kind === 'consultation') void refreshOutbox();
    },
    onUnreachable: () => setLink('closed'),
  });

  async function refreshOutbox(): Promise<void> {
    try {
      kitOutbox.set(await deps.api.get<KitOutbox>('/api/outbox'));
    } catch {
      // Shown as last known; the link state tells the kit is away.
    }
  }

  async function loadVisit(id: string): Promise<void> {
    // Shown already (read before the first render, or open): only the kit's view is awaited.
    const shown = visit.value?.view.visit.id === id;
    const cached = shown ? null : await deps.db.visit(id);
    if (cached) visit.set({ view: cached.view, fromCache: true });
    try {
      const view = await deps.api.get<WireVisitView>(`/api/visits/${encodeURIComponent(id)}`);
      // Live entries that arrived while the request was in flight are kept.
      const current = visit.value?.view.visit.id === id ? visit.value.view : null;
      setVisitView(current ? current.entries.reduce(mergeEntry, view) : view, false);
    } catch (error) {
      if (!shown && !cached) throw error;
    }
  }

  // Live values are applied once per animation frame: a burst of readings draws once, in the
  // frame that would have painted the first of them anyway.
  let pendingLive: LiveState | null = null;
  const frame =
    typeof requestAnimationFrame === 'function'
      ? requestAnimationFrame
      : (fn: () => void) => queueMicrotask(fn);
  function onMessage(m: LiveMessage): void {
    if (pendingLive === null)
      frame(() => {
        const next = pendingLive;
        pendingLive = null;
        if (next) live.set(next);
      });
    pendingLive = reduceLive(pendingLive ?? live.value, m);
    if (m.type === 'waveform') waveforms.push(m.data);
    if (m.type === 'visit') {
      const open = visit.value;
      if (open) {
        const next = applyVisitChange(open.view, m.data);
        if (next !== open.view) setVisitView(next, open.fromCache);
      }
    }
    if (m.type === 'consultation') onConsultation(m.data);
    if (m.type === 'call') callBus.push(m.data);
    if (m.type === 'link-status') linkStatus.set(m.data);
  }

  function onConsultation(change: WireConsultationChange): void {
    const open = visit.value;
    if (open) {
      const next = applyConsultationChange(open.view, change);
      if (next !== open.view) setVisitView(next, open.fromCache);
    }
    if (change.kind === 'answer') {
      const r = route.value;
      const looking = r.name === 'visit' && r.id === change.visitId;
      if (!looking && !newAnswers.value.some((a) => a.id === change.answer.id))
        newAnswers.set([...newAnswers.value, { visitId: change.visitId, id: change.answer.id }]);
      return;
    }
    const kit = kitOutbox.value;
    if (kit?.items.some((i) => i.id === change.outboxId))
      kitOutbox.set({
        ...kit,
        items: kit.items.map((i) => (i.id === change.outboxId ? { ...i, delivery: change.delivery } : i)),
      });
    else void refreshOutbox();
  }

  const stream = deps.stream({
    onMessage,
    onStatus: setLink,
    onResume: () => {
      // Fetch what was missed while away, then send what waited on the tablet.
      const open = visit.value;
      if (open) void loadVisit(open.view.visit.id).catch(() => undefined);
      void refreshOutbox();
      void sender.kick();
    },
  });

  /** The kit refused this tablet's token: forget it and ask for a pairing code. */
  async function unauthorized(): Promise<void> {
    stream.stop();
    clearTimeout(offlineTimer);
    offlineTimer = undefined;
    link.set('unpaired');
    // A tablet that had a token was refused (revoked, or the kit was reset): say so. A new one just pairs.
    if (deps.session.token() !== null) await deps.session.forget();
    if (route.value.name !== 'pair') {
      hist.replaceState(null, '', pathOf({ name: 'pair' }));
      route.set({ name: 'pair' });
    }
  }

  async function enqueue(item: Omit<QueueItem, 'seq' | 'state' | 'attempts' | 'createdAt'>): Promise<void> {
    await deps.db.enqueue({ ...item, state: 'pending', attempts: 0, createdAt: now().toISOString() });
    queue.set(await deps.db.queue());
    void sender.kick();
  }

  return {
    locale,
    route,
    link,
    live,
    visit,
    queue,
    sending,
    kitOutbox,
    linkStatus,
    persisted,
    newAnswers,
    worker,
    waveforms,
    session: deps.session,
    unauthorized,

    /** Exchanges a pairing code for a token, then connects and sends what waited. */
    async pair(code: string, name: string) {
      const failure = await deps.session.pair(deps.api, code, name);
      if (failure) return failure;
      link.set('connecting');
      stream.start();
      void sender.kick();
      hist.replaceState(null, '', pathOf({ name: 'patients' }));
      route.set({ name: 'patients' });
      return null;
    },

    /**
     * Reads what the tablet kept (its pairing, its language, its queue and, when a visit is
     * being opened, that visit's last view) in one IndexedDB read, before the first render: the screen then
     * draws from its first frame, and the first request already carries the token.
     */
    async restore(): Promise<void> {
      const r = route.value;
      const kept = await deps.db.startup([deps.session.key, 'locale'], r.name === 'visit' ? r.id : null);
      deps.session.restore(kept.settings.get(deps.session.key));
      const saved = kept.settings.get('locale');
      if (saved === 'ru' || saved === 'en') {
        locale.set(saved);
        document.documentElement.lang = saved;
      }
      queue.set(kept.queue);
      if (kept.visit) visit.set({ view: kept.visit.view, fromCache: true });
    },

    /** Starts the live channel and the sender, asks for persistent storage (after {@link restore}). */
    async start(storage?: StorageManager): Promise<void> {
      await deps.db.pruneSent(now());
      stream.start();
      void sender.kick();
      if (storage?.persist) persisted.set(await storage.persist().catch(() => false));
    },

    stop(): void {
      stream.stop();
      sender.stop();
    },

    setLocale(l: Locale): void {
      locale.set(l);
      document.documentElement.lang = l;
      void deps.db.setSetting('locale', l);
    },

    navigate(to: Route, replace = false): void {
      if (to.name === 'visit') newAnswers.set(newAnswers.value.filter((a) => a.visitId !== to.id));
      const path = pathOf(to);
      if (replace) hist.replaceState(null, '', path);
      else hist.pushState(null, '', path);
      route.set(to);
    },

    /** Follows the browser's back and forward buttons. */
    syncRoute(): void {
      route.set(parseRoute(loc.pathname));
    },

    searchPatients: (q: string) =>
      deps.api.get<WirePatientSearch>(`/api/patients?q=${encodeURIComponent(q)}`),

    patient: (id: string) => deps.api.get<WirePatientView>(`/api/patients/${encodeURIComponent(id)}`),

    /** Needs the kit (a new patient must be findable by every tablet at once). */
    createPatient: (input: Omit<WirePatient, 'id' | 'createdAt'>) =>
      deps.api.send<WirePatient>('POST', '/api/patients', { ...dropNulls(input), clientId: uuid() }),

    openVisit: (patientId: string) =>
      deps.api.send<WireVisit>('POST', '/api/visits', { clientId: uuid(), patientId }),

    loadVisit,

    closeVisit(): void {
      const open = visit.value;
      if (!open) return;
      void enqueue({
        clientId: uuid(),
        kind: 'close',
        visitId: open.view.visit.id,
        body: { enteredAt: now().toISOString() },
      });
    },

    /** Puts an entry on the tablet's queue (durable at once) and sends it when the kit is there. */
    addEntry(visitId: string, draft: EntryDraft): Promise<void> {
      const clientId = uuid();
      const enteredAt = now().toISOString();
      if (draft.kind === 'keep')
        return enqueue({
          clientId,
          kind: 'entry',
          visitId,
          body: { clientId, enteredAt, kind: 'keep', observationId: draft.observation.id },
          observation: draft.observation,
        });
      return enqueue({ clientId, kind: 'entry', visitId, body: { clientId, enteredAt, ...draft } });
    },

    addAttachment(visitId: string, kind: 'photo' | 'voice', blob: Blob): Promise<void> {
      return enqueue({
        clientId: uuid(),
        kind: 'attachment',
        visitId,
        body: { kind, enteredAt: now().toISOString() },
        blob,
        mediaType: blob.type || (kind === 'photo' ? 'image/jpeg' : 'audio/webm'),
      });
    },

    sendConsultation(visitId: string, draft: ConsultDraft): Promise<void> {
      const clientId = uuid();
      return enqueue({
        clientId,
        kind: 'consultation',
        visitId,
        body: { clientId, enteredAt: now().toISOString(), ...draft },
      });
    },

    refreshOutbox,
    instrumentsApi: deps.api,

    /** The visit as a FHIR R4 Bundle, as the kit exports it (a doctor's tablet; others are refused). */
    downloadFhir: (visitId: string): Promise<Blob> =>
      deps.api.download(`/api/visits/${encodeURIComponent(visitId)}/fhir`),
  };
}

function dropNulls<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== '')) as Partial<T>;
}
