import { fromBase64Url, toBase64Url } from '../../../crypto/bytes.ts';
import type { Directory } from '../../../crypto/directory.ts';
import { groupedCode, orgCheck, readEnrolmentCode } from '../../../crypto/enrol-check.ts';
import { verifyDirectory } from '../../../crypto/directory.ts';
import type { ReceiptState } from '../../../crypto/receipt.ts';
import { decodeWire } from '../../../crypto/wire-cbor.ts';
import type { ConclusionBody } from '../../../runtime/link/items.ts';
import { ConsultationBody } from '../../../runtime/link/items.ts';
import type { AnswerContext } from './case/answer.ts';
import { receiptFor, sealConclusion, sealMessage, sealVoice } from './case/answer.ts';
import { ConsoleDb, ConsoleDbError, OPEN_TIMEOUT_MS } from './keys/console-db.ts';
import type { DeviceKeys, SealedVault } from './keys/vault.ts';
import {
  VaultError,
  bindVault,
  newDeviceKeys,
  openVault,
  openerOf,
  sealVault,
  signerOf,
} from './keys/vault.ts';
import type { ConsoleItem, ConsoleReceipt } from './link/received.ts';
import { openReceived } from './link/received.ts';
import type { CaseOutcome } from './net/cases-api.ts';
import { CasesApi, HubCase } from './net/cases-api.ts';
import { HubApi, HubError } from './net/hub-api.ts';
import { LinkSocket, ObjectRefusal } from './net/link-socket.ts';
import type { DeadlinePolicy, QueueInput } from './queue/queue.ts';
import { parseDeadlines } from './queue/queue.ts';

/** How often the hub's view of claims is read again while connected (only changes come back). */
const CASES_REFRESH_MS = 5000;
/** The longest pause between attempts to reach the hub. */
const RETRY_MAX_MS = 5000;
/** A burst of arriving consultations asks the hub once, this long after the first. */
const ARRIVAL_REFRESH_MS = 300;
/** Screens are told of changes at most this often (a burst of arrivals renders a few times, not per item). */
const NOTIFY_MS = 50;

/** Which screen the console is on. */
export type Phase =
  | { readonly kind: 'loading' }
  | { readonly kind: 'enrol'; readonly error?: string; readonly busy?: boolean }
  | {
      readonly kind: 'unlock';
      readonly identity: string;
      readonly error?: string;
      readonly busy?: boolean;
      /** The keys opened but the stored record was changed outside the console: refused, with why. */
      readonly tampered?: string;
    }
  | { readonly kind: 'ready' }
  /**
   * The console could not read its database (see {@link ConsoleDbError}'s codes): said in
   * Russian with a retry, never an endless loading screen. `closed` (another tab upgraded the
   * database under a running console) offers a reload instead: this page can no longer write.
   */
  | { readonly kind: 'failed'; readonly code: ConsoleDbError['code']; readonly detail: string };

/** A consultation as the queue and the case view see it. */
export interface Consultation extends QueueInput {
  readonly item: ConsoleItem;
  readonly question: string;
  readonly patient: ConsultationBody['patient'];
  /** This specialist holds it (at the hub). */
  readonly claimed: boolean;
  /** Who holds it at the hub (identity id), if anyone. */
  readonly claimedBy: string | null;
  /** A coordinator gave it to its holder. */
  readonly assignedBy: string | null;
  /** State of this console's conclusion for it: none, sent (queued), or held by the hub. */
  readonly conclusion: 'none' | 'queued' | 'at_hub';
}

/** An answer waiting to reach the hub (kept in IndexedDB until the hub says STORED). */
interface Pending {
  readonly id: string;
  readonly bytes: Uint8Array;
  /** The consultation it answers (for the queue's state), if a conclusion. */
  readonly conclusionFor?: string;
  /** The consultation (item id) a message or voice message belongs to. */
  readonly replyTo?: string;
}

const VAULT_KEY = 'device';
const DIRECTORY_KEY = 'directory';
const CONCLUDED_KEY = 'concluded';
/** The hub's view of the queue as last read (claims), with when: shown, marked stale, offline. */
const HUB_CASES_KEY = 'hubCases';
const PENDING_PREFIX = 'pending/';

/**
 * Everything the console knows and does, in one place the screens subscribe to: enrolment and
 * the key vault, the hub connection (token, directory, link socket, reconnects), the received
 * items kept in IndexedDB, claims, and the answers (signed in this browser, kept until the hub
 * holds them, so nothing written is lost to a dropped connection).
 */
export class ConsoleState {
  phase: Phase = { kind: 'loading' };
  hub: { state: 'connecting' | 'up' | 'down'; reason?: string } = { state: 'connecting' };
  identity = '';
  directory: Directory | undefined;
  items: ConsoleItem[] = [];
  receipts: ConsoleReceipt[] = [];
  /** The role the hub enrolled this device for (a coordinator sees every open consultation). */
  role: 'kit' | 'specialist' | 'coordinator' = 'specialist';
  /** Open consultations as the hub's coordination sees them (claims, deadlines), urgent first. */
  hubCases: HubCase[] = [];
  /** The same, by envelope id. */
  #hubById = new Map<string, HubCase>();
  /** When the hub's view of the queue was last read (ms), 0 if never: how stale it is offline. */
  casesAt = 0;
  /** The hub's cursor after the last list (the next poll asks only for what changed since). */
  #casesCursor: string | undefined;
  #refreshing: Promise<void> | undefined;
  #refreshAgain = false;
  #arrivalTimer: ReturnType<typeof setTimeout> | undefined;
  /** Consultation bodies as decoded once, by item id (the queue reads them on every render). */
  readonly #bodies = new Map<string, ConsultationBody | undefined>();
  #notifyTimer: ReturnType<typeof setTimeout> | undefined;
  #notifiedAt = 0;
  /** The last refusal of a claim or assignment, for the screen. */
  notice: string | null = null;
  /** Why the hub's directory was refused (its organisation key is not the enrolment code's). */
  directoryRefusal: string | null = null;
  concluded = new Map<string, 'queued' | 'at_hub'>();
  /**
   * This session's replies (messages, voice) by sealed id: still waiting in the console, or held by
   * the hub. Shown beside the reply, so a message written offline never reads as sent.
   */
  replyStates = new Map<string, 'queued' | 'at_hub'>();
  /** Replies the hub refused for good, by consultation item id: why, for the case screen. */
  replyRefusals = new Map<string, string>();
  openCase: string | null = null;
  readonly deadlines: DeadlinePolicy;
  readonly #api: HubApi;
  readonly #cases: CasesApi;
  #token: string | undefined;
  #casesTimer: ReturnType<typeof setInterval> | undefined;
  readonly #listeners = new Set<() => void>();
  #db: ConsoleDb | undefined;
  #keys: DeviceKeys | undefined;
  #vault: SealedVault | undefined;
  #socket: LinkSocket | undefined;
  #retryMs = 1000;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #flushing = false;
  #flushAgain = false;

  constructor(options: { api?: HubApi; deadlines?: string | null } = {}) {
    this.#api = options.api ?? new HubApi('');
    this.#cases = new CasesApi(this.#api.base);
    this.deadlines = parseDeadlines(options.deadlines);
  }

  /**
   * How many times the screens were told of a change: a screen that subscribes after rendering
   * compares it with what it rendered (see use-console.ts), so no change falls between the two.
   */
  changes = 0;

  /** Calls `fn` after every change; returns the unsubscribe. */
  subscribe(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /**
   * Tells the screens, at once when they were last told more than {@link NOTIFY_MS} ago, else
   * once at the end of that interval: a thousand arrivals cost a few renders, not a thousand.
   */
  #changed(): void {
    if (this.#notifyTimer) return;
    const wait = this.#notifiedAt + NOTIFY_MS - Date.now();
    const notify = () => {
      this.#notifyTimer = undefined;
      this.changes++;
      this.#notifiedAt = Date.now();
      for (const fn of this.#listeners) fn();
    };
    if (wait <= 0) notify();
    else this.#notifyTimer = setTimeout(notify, wait);
  }

  #setHubCases(list: readonly HubCase[]): void {
    const rank = (h: HubCase) => (h.urgency === 'urgent' ? 0 : 1);
    this.hubCases = [...list].sort(
      (a, b) => rank(a) - rank(b) || a.arrivedAt - b.arrivedAt || (a.id < b.id ? -1 : 1),
    );
    this.#hubById = new Map(this.hubCases.map((h) => [h.id, h]));
  }

  /**
   * Opens the database and picks the first screen; never throws and never waits for good: a
   * database that does not open or answer in time shows the `failed` screen (its retry calls
   * this again, on a new connection). Only reads: nothing is written before the keys are opened.
   */
  async start(): Promise<void> {
    this.#db?.close();
    this.#db = undefined;
    if (this.phase.kind !== 'loading') this.#setPhase({ kind: 'loading' });
    let db: ConsoleDb | undefined;
    try {
      db = await ConsoleDb.open({ onLost: (why) => this.#lost(why) });
      const stored = await settleWithin(db.get('vault', VAULT_KEY), OPEN_TIMEOUT_MS);
      const identity =
        typeof stored === 'object' && stored && 'identity' in stored ? String(stored.identity) : '';
      this.#db = db;
      this.#setPhase(stored ? { kind: 'unlock', identity } : { kind: 'enrol' });
    } catch (error) {
      db?.close();
      const failure =
        error instanceof ConsoleDbError
          ? error
          : new ConsoleDbError(
              'failed',
              error instanceof Error ? `${error.name}: ${error.message}` : String(error),
            );
      this.#setPhase({ kind: 'failed', code: failure.code, detail: failure.message });
    }
  }

  /**
   * The database connection was closed under the console (another tab upgraded it): nothing
   * more can be read or written here, so the console says so and offers a reload, rather than
   * failing each later write one by one. What was written before stays in the database.
   */
  #lost(why: ConsoleDbError): void {
    this.#db = undefined;
    this.#socket?.close('the console database was closed');
    if (this.#casesTimer) clearInterval(this.#casesTimer);
    this.#casesTimer = undefined;
    this.#keys = undefined;
    this.#setPhase({ kind: 'failed', code: why.code, detail: why.message });
  }

  /** Makes the device keys, enrols them with the one-time code and keeps them sealed. */
  async enrol(input: { code: string; label: string; passphrase: string; repeat: string }): Promise<void> {
    const { t } = await import('./i18n.ts');
    if (input.passphrase.length < 8) return this.#setPhase({ kind: 'enrol', error: t('passphraseShort') });
    if (input.passphrase !== input.repeat)
      return this.#setPhase({ kind: 'enrol', error: t('passphraseMismatch') });
    const typed = readEnrolmentCode(input.code);
    if (typed.kind !== 'full')
      return this.#setPhase({
        kind: 'enrol',
        error: t(typed.kind === 'secret_only' ? 'enrolCodeShort' : 'enrolCodeMalformed'),
      });
    this.#setPhase({ kind: 'enrol', busy: true });
    try {
      const keys = await newDeviceKeys();
      const label = input.label.trim() || t('deviceLabelDefault');
      const enrolled = await this.#api.enrol({
        code: typed.secret,
        signPublic: keys.signPublic,
        boxPublic: keys.boxPublic,
        label,
      });
      // The organisation key the hub names must be the one the code was issued for: otherwise
      // nothing is kept (a substituted key is never pinned).
      const org = enrolled.org === null ? undefined : fromBase64Url(enrolled.org);
      if (enrolled.org !== null && org?.byteLength !== 32)
        throw new HubError('bad_answer', 'org is not a key');
      if (org) {
        const got = await orgCheck(org);
        if (got !== typed.check)
          return this.#setPhase({
            kind: 'enrol',
            error: t('enrolOrgMismatch', { got: groupedCode(got), want: groupedCode(typed.check) }),
          });
      }
      const vault = await sealVault(keys, input.passphrase, {
        identity: enrolled.identity,
        org: enrolled.org,
        ...(org ? {} : { orgCheck: typed.check }),
        label,
      });
      await this.#db!.put('vault', VAULT_KEY, vault);
      this.#ready(vault, keys);
    } catch (error) {
      const why =
        error instanceof HubError && error.code === 'unauthorized'
          ? t('enrolBadCode')
          : t('enrolFailed', { why: String(error instanceof Error ? error.message : error) });
      this.#setPhase({ kind: 'enrol', error: why });
    }
  }

  /** Opens the vault with the passphrase. */
  async unlock(passphrase: string): Promise<void> {
    const { t } = await import('./i18n.ts');
    const identity = this.phase.kind === 'unlock' ? this.phase.identity : '';
    this.#setPhase({ kind: 'unlock', identity, busy: true });
    try {
      const { vault, keys, migrated } = await openVault(await this.#db!.get('vault', VAULT_KEY), passphrase);
      // A vault of the older format (its pinned organisation key unsigned) is stored bound now.
      if (migrated) await this.#db!.put('vault', VAULT_KEY, vault);
      this.#ready(vault, keys);
    } catch (error) {
      if (error instanceof VaultError && error.code === 'tampered')
        return this.#setPhase({ kind: 'unlock', identity, tampered: t('vaultTampered') });
      const why =
        error instanceof VaultError && error.code === 'wrong_passphrase' ? t('unlockWrong') : String(error);
      this.#setPhase({ kind: 'unlock', identity, error: why });
    }
  }

  /**
   * After a refused (changed) key record: removes it from this browser so the device can be
   * enrolled again with a new code. Why: the record is never trusted again, and without this the
   * specialist would be left on the refusal with no way forward. Only from the refusal.
   */
  async forgetRefusedKeys(): Promise<void> {
    if (this.phase.kind !== 'unlock' || !this.phase.tampered) return;
    await this.#db!.delete('vault', VAULT_KEY);
    this.#setPhase({ kind: 'enrol' });
  }

  #setPhase(phase: Phase): void {
    this.phase = phase;
    this.#changed();
  }

  #ready(vault: SealedVault, keys: DeviceKeys): void {
    this.#vault = vault;
    this.#keys = keys;
    this.identity = vault.identity;
    this.phase = { kind: 'ready' };
    this.#changed();
    void this.#load().then(() => this.#connect());
  }

  async #load(): Promise<void> {
    const db = this.#db!;
    const dirBytes = await db.get('state', DIRECTORY_KEY);
    if (dirBytes instanceof Uint8Array) await this.#acceptDirectory(dirBytes).catch(() => undefined);
    this.items = (await db.all('items')).filter((i): i is ConsoleItem => (i as ConsoleItem)?.type === 'item');
    this.receipts = (await db.all('items')).filter(
      (i): i is ConsoleReceipt => (i as ConsoleReceipt)?.type === 'receipt',
    );
    const cached = await db.get('state', HUB_CASES_KEY);
    if (cached && typeof cached === 'object' && 'cases' in cached && 'at' in cached) {
      const parsed = HubCase.array()
        .max(50_000)
        .safeParse((cached as { cases: unknown }).cases);
      if (parsed.success && this.casesAt === 0) {
        this.#setHubCases(parsed.data);
        this.casesAt = Number((cached as { at: unknown }).at) || 0;
      }
    }
    const concluded = await db.get('state', CONCLUDED_KEY);
    if (concluded && typeof concluded === 'object')
      this.concluded = new Map(Object.entries(concluded as Record<string, 'queued' | 'at_hub'>));
    this.#changed();
  }

  async #acceptDirectory(bytes: Uint8Array): Promise<void> {
    const org = this.#vault?.org ? fromBase64Url(this.#vault.org) : undefined;
    let pinned = org;
    if (!pinned) {
      // No directory at enrolment: pin the organisation key of the first directory (trust on first use).
      const { DirectoryFields } = await import('../../../crypto/directory.ts');
      const body = decodeWire(bytes.subarray(8, bytes.byteLength - 64));
      const fields = body.ok ? DirectoryFields.safeParse(body.value) : undefined;
      if (!fields?.success) throw new Error('the directory does not parse');
      pinned = fields.data.org;
      // Not trust on first use: the key must match the check of the code this device enrolled with.
      const got = await orgCheck(pinned);
      if (got !== this.#vault?.orgCheck) {
        const { t } = await import('./i18n.ts');
        // A device enrolled before codes carried the check has nothing to compare with.
        this.directoryRefusal = this.#vault?.orgCheck
          ? t('directoryOrgMismatch', { got: groupedCode(got) })
          : t('directoryNoCheck');
        this.#changed();
        throw new Error(this.directoryRefusal);
      }
      // The pinned key is one of the fields the device signs: the record is bound again.
      this.#vault = await bindVault({ ...this.#vault, org: toBase64Url(pinned) }, this.#keys!);
      await this.#db!.put('vault', VAULT_KEY, this.#vault);
    }
    const dir = await verifyDirectory(bytes, pinned, this.directory?.serial ?? 0);
    this.directory = dir;
    await this.#db!.put('state', DIRECTORY_KEY, bytes);
  }

  /** This device is listed in the directory (else nothing reaches it and its answers are refused). */
  get inDirectory(): boolean {
    return !!this.#keys && !!this.directory?.isDeviceOf(this.identity, this.#keys.signPublic);
  }

  async #connect(): Promise<void> {
    if (!this.#keys) return;
    this.hub = { state: 'connecting' };
    this.#changed();
    try {
      const signer = signerOf(this.#keys);
      const { token, role } = await this.#api.token(signer);
      this.#token = token;
      this.role = role;
      void this.refreshCases();
      if (!this.#casesTimer) this.#casesTimer = setInterval(() => void this.refreshCases(), CASES_REFRESH_MS);
      const dir = await this.#api.directory(token).catch((e: unknown) => {
        if (e instanceof HubError && e.code === 'no_directory') return undefined;
        throw e;
      });
      if (dir) await this.#acceptDirectory(dir);
      this.#socket = await LinkSocket.open(location.origin, token, {
        onObject: (id, bytes) => this.#received(id, bytes),
        holds: async (id) => !!(await this.#db!.get('items', id)),
        onClose: (reason) => {
          this.#socket = undefined;
          this.hub = { state: 'down', reason };
          this.#changed();
          this.#retry();
        },
      });
      this.#retryMs = 1000;
      this.hub = { state: 'up' };
      this.#changed();
      void this.#flush();
    } catch (error) {
      this.hub = { state: 'down', reason: error instanceof Error ? error.message : String(error) };
      this.#changed();
      this.#retry();
    }
  }

  #retry(): void {
    const wait = this.#retryMs;
    // Capped at 5 s: once the hub is back the console follows within 5 s (the doubling went to
    // 15 s: after a 10 s cut it came back 5 s late, after longer ones up to 15 s); one TLS
    // attempt per 5 s is no load on a hub.
    this.#retryMs = Math.min(RETRY_MAX_MS, this.#retryMs * 2);
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      void this.#connect();
    }, wait);
  }

  async #received(id: string, bytes: Uint8Array): Promise<'stored' | 'duplicate'> {
    const db = this.#db!;
    if (await db.get('items', id)) return 'duplicate';
    const opened = await openReceived(id, bytes, {
      opener: openerOf(this.#keys!),
      directory: this.directory,
      me: this.identity,
    });
    await db.put('items', id, opened);
    if (opened.type === 'item') this.items = [...this.items, opened];
    else this.receipts = [...this.receipts, opened];
    this.#changed();
    // As the kit's inbox does: a verified item is acknowledged to its sender with a signed receipt.
    if (opened.type === 'item' && opened.verified && this.directory)
      void this.#receipt(opened, 'delivered').catch(() => undefined);
    if (opened.type === 'item' && opened.kind === 'consultation') this.#refreshSoon();
    // The hub takes a kit's envelope at priority 1 or 3 for a consultation (it cannot read it);
    // one that is something else (an urgent message) is dismissed from the coordination queue.
    else if (
      opened.type === 'item' &&
      opened.verified &&
      (opened.pri === 1 || opened.pri === 3) &&
      this.directory?.identity(opened.from)?.role === 'kit'
    )
      void this.#act(opened.envelopeId, 'dismiss').catch(() => undefined);
    return 'stored';
  }

  /** The consultations received, with their queue state. */
  consultations(): Consultation[] {
    const out: Consultation[] = [];
    for (const item of this.items) {
      if (item.kind !== 'consultation') continue;
      const body = this.#bodyOf(item);
      const conclusion = this.concluded.get(item.itemId) ?? 'none';
      const claim = this.#hubById.get(item.envelopeId)?.claim ?? null;
      out.push({
        item,
        itemId: item.itemId,
        urgency: body ? body.urgency : item.pri === 1 ? 'urgent' : 'routine',
        sentAt: item.at,
        answered: conclusion !== 'none',
        question: body ? body.question : '',
        patient: body ? body.patient : undefined,
        claimed: claim?.by === this.identity,
        claimedBy: claim?.by ?? null,
        assignedBy: claim?.assignedBy ?? null,
        conclusion,
      });
    }
    return out;
  }

  #bodyOf(item: ConsoleItem): ConsultationBody | undefined {
    if (this.#bodies.has(item.itemId)) return this.#bodies.get(item.itemId);
    const decoded = decodeWire(item.body);
    const parsed = decoded.ok ? ConsultationBody.safeParse(decoded.value) : undefined;
    const body = parsed?.success ? parsed.data : undefined;
    this.#bodies.set(item.itemId, body);
    return body;
  }

  #answerContext(): AnswerContext {
    if (!this.#keys || !this.directory) throw new Error('no keys or no directory');
    return { signer: signerOf(this.#keys), me: this.identity, directory: this.directory };
  }

  async #queue(p: Pending): Promise<void> {
    await this.#db!.put('state', `${PENDING_PREFIX}${p.id}`, p);
    void this.#flush();
  }

  async #flush(): Promise<void> {
    if (this.#flushing) {
      this.#flushAgain = true;
      return;
    }
    if (!this.#socket) return;
    this.#flushing = true;
    try {
      do {
        this.#flushAgain = false;
        await this.#flushOnce();
      } while (this.#flushAgain && this.#socket);
    } catch {
      // the link dropped or the hub refused: kept, retried on the next connection
    } finally {
      this.#flushing = false;
    }
  }

  async #flushOnce(): Promise<void> {
    for (const p of await this.#db!.all('state')) {
      const pending = p as Pending;
      if (!pending || !(pending.bytes instanceof Uint8Array) || typeof pending.id !== 'string') continue;
      if (!this.#socket) break;
      try {
        await this.#socket.send(pending.bytes);
      } catch (error) {
        // storage_failed: the hub could not commit it now; kept and sent again later.
        if (!(error instanceof ObjectRefusal) || error.code === 'storage_failed') throw error;
        await this.#refused(pending, error);
        continue;
      }
      const tx = this.#db!.db.transaction('state', 'readwrite');
      tx.objectStore('state').delete(`${PENDING_PREFIX}${pending.id}`);
      if (pending.replyTo) this.replyStates.set(pending.id, 'at_hub');
      if (pending.conclusionFor) {
        this.concluded.set(pending.conclusionFor, 'at_hub');
        tx.objectStore('state').put(Object.fromEntries(this.concluded), CONCLUDED_KEY);
        const answered = this.items.find((i) => i.itemId === pending.conclusionFor);
        if (answered) void this.#act(answered.envelopeId, 'answered').catch(() => undefined);
      }
      this.#changed();
    }
  }

  /**
   * The hub refused an answer for good (a NACK: sending it again would be refused again): it
   * leaves the outbox, and the case says why (who holds the consultation, for `taken`).
   */
  async #refused(pending: Pending, refusal: ObjectRefusal): Promise<void> {
    const { replyRefusalText } = await import('./case/refusal.ts');
    const why = replyRefusalText(refusal.code, refusal.message, (id) => this.nameOf(id));
    const about = pending.conclusionFor ?? pending.replyTo;
    if (about) this.replyRefusals.set(about, why);
    else this.notice = why;
    if (pending.conclusionFor) this.concluded.delete(pending.conclusionFor);
    this.replyStates.delete(pending.id);
    const tx = this.#db!.db.transaction('state', 'readwrite');
    tx.objectStore('state').delete(`${PENDING_PREFIX}${pending.id}`);
    tx.objectStore('state').put(Object.fromEntries(this.concluded), CONCLUDED_KEY);
    this.#changed();
    void this.refreshCases();
  }

  /**
   * Claims a consultation at the hub and tells the kit it is being read (a signed 'read'
   * receipt). Refused when someone else holds it: the queue then shows who.
   */
  async claim(itemId: string): Promise<boolean> {
    const c = this.consultations().find((x) => x.itemId === itemId);
    if (!c) return false;
    let outcome: CaseOutcome;
    try {
      outcome = await this.#act(c.item.envelopeId, 'claim');
    } catch (error) {
      const { t } = await import('./i18n.ts');
      this.notice = t('claimRefused', { why: error instanceof Error ? error.message : String(error) });
      this.#changed();
      return false;
    }
    if (!outcome.ok) {
      const { t } = await import('./i18n.ts');
      this.notice =
        outcome.error === 'taken' && outcome.by
          ? t('takenBy', { name: this.nameOf(outcome.by) })
          : t('claimRefused', { why: outcome.why ?? outcome.error });
      await this.refreshCases();
      this.#changed();
      return false;
    }
    this.notice = null;
    this.#changed();
    await this.#receipt(c.item, 'read');
    return true;
  }

  /** A coordinator gives a consultation (envelope id) to one of the identities it was sent to. */
  async assign(caseId: string, to: string): Promise<void> {
    const outcome = await this.#act(caseId, 'assign', to);
    if (!outcome.ok) {
      const { t } = await import('./i18n.ts');
      this.notice = t('assignRefused', { why: outcome.why ?? outcome.error });
    } else this.notice = null;
    this.#changed();
  }

  #refreshSoon(): void {
    if (this.#arrivalTimer) return;
    this.#arrivalTimer = setTimeout(() => {
      this.#arrivalTimer = undefined;
      void this.refreshCases();
    }, ARRIVAL_REFRESH_MS);
  }

  /**
   * Reads what changed in the hub's open consultations and claims since the last read (every
   * few seconds while connected; the whole list the first time). One read at a time: a call
   * while one runs makes one more read after it.
   */
  refreshCases(): Promise<void> {
    if (this.#refreshing) {
      this.#refreshAgain = true;
      return this.#refreshing;
    }
    this.#refreshing = (async () => {
      try {
        do {
          this.#refreshAgain = false;
          await this.#refreshOnce();
        } while (this.#refreshAgain);
      } finally {
        this.#refreshing = undefined;
      }
    })();
    return this.#refreshing;
  }

  async #refreshOnce(): Promise<void> {
    if (!this.#token) return;
    try {
      const since = this.#casesCursor;
      const changes = await this.#withToken((token) => this.#cases.list(token, since));
      const moved = changes.full || changes.cases.length > 0 || changes.removed.length > 0;
      if (changes.full) this.#setHubCases(changes.cases);
      else if (moved) {
        const next = new Map(this.#hubById);
        for (const id of changes.removed) next.delete(id);
        for (const h of changes.cases) next.set(h.id, h);
        this.#setHubCases([...next.values()]);
      }
      this.#casesCursor = changes.cursor;
      this.casesAt = Date.now();
      if (moved) {
        // Kept for the console opened without the hub (shown as the last known list).
        await this.#db?.put('state', HUB_CASES_KEY, { cases: this.hubCases, at: this.casesAt });
        this.#changed();
      }
      // A conclusion that reached the hub while telling the coordination failed: say it again.
      for (const [itemId, state] of this.concluded) {
        if (state !== 'at_hub') continue;
        const item = this.items.find((i) => i.itemId === itemId);
        const h = item ? this.#hubById.get(item.envelopeId) : undefined;
        if (h && (!h.claim || h.claim.by === this.identity))
          void this.#act(h.id, 'answered').catch(() => undefined);
      }
    } catch {
      // offline or refused: the last view stays; the next connection reads it again
    }
  }

  async #act(id: string, action: 'claim' | 'release' | 'answered' | 'dismiss' | 'assign', to?: string) {
    const outcome = await this.#withToken((token) => this.#cases.act(token, id, action, to));
    if (outcome.ok) {
      const next = new Map(this.#hubById);
      if (action === 'answered' || action === 'dismiss') next.delete(id);
      else next.set(id, outcome.case);
      this.#setHubCases([...next.values()]);
      this.#changed();
    }
    return outcome;
  }

  /** Runs a hub call with the current token, signing in again once when it expired (401). */
  async #withToken<T>(fn: (token: string) => Promise<T>): Promise<T> {
    if (!this.#keys) throw new Error('locked');
    if (this.#token) {
      try {
        return await fn(this.#token);
      } catch (error) {
        if (!(error instanceof HubError && error.code === 'unauthorized')) throw error;
      }
    }
    const fresh = await this.#api.token(signerOf(this.#keys));
    this.#token = fresh.token;
    this.role = fresh.role;
    return fn(fresh.token);
  }

  /** A person's name as the directory gives it, up to the first comma ("Иванова А. П."). */
  nameOf(identity: string): string {
    const name = this.directory?.identity(identity)?.name;
    return name ? (name.split(',')[0] ?? name).trim() : identity;
  }

  async #receipt(item: ConsoleItem, state: ReceiptState): Promise<void> {
    const receipt = await receiptFor(this.#answerContext(), item.envelopeId, item.from, state);
    await this.#queue({ id: receipt.id, bytes: receipt.bytes });
  }

  /** Opens a case (claiming it if nobody holds it; one held by someone else opens to read). */
  async open(itemId: string | null): Promise<void> {
    this.openCase = itemId;
    this.notice = null;
    this.#changed();
    const c = itemId ? this.consultations().find((x) => x.itemId === itemId) : undefined;
    if (c && c.claimedBy === null) await this.claim(c.itemId).catch(() => false);
  }

  /** Signs the conclusion in this browser and sends it sealed to the kit. */
  async conclude(itemId: string, conclusion: ConclusionBody): Promise<void> {
    const c = this.consultations().find((x) => x.itemId === itemId);
    if (!c) throw new Error('no such consultation');
    const sealed = await sealConclusion(
      this.#answerContext(),
      { from: c.item.from, itemId, envelopeId: c.item.envelopeId },
      conclusion,
    );
    this.concluded.set(itemId, 'queued');
    await this.#db!.put('state', CONCLUDED_KEY, Object.fromEntries(this.concluded));
    await this.#queue({ id: sealed.id, bytes: sealed.bytes, conclusionFor: itemId });
    this.#changed();
  }

  /**
   * Sends a recorded voice message in the consultation's thread (kept until the hub holds it);
   * resolves with its id, whose state {@link replyStates} tells.
   */
  async voice(itemId: string, recording: { bytes: Uint8Array; media: string }): Promise<string> {
    const c = this.consultations().find((x) => x.itemId === itemId);
    if (!c) throw new Error('no such consultation');
    const sealed = await sealVoice(
      this.#answerContext(),
      { from: c.item.from, itemId, envelopeId: c.item.envelopeId },
      recording,
    );
    return this.#reply(sealed, itemId);
  }

  /** Items received that belong to a consultation (its photos and voice notes), by item id. */
  attachmentsOf(ids: readonly string[]): Map<string, ConsoleItem> {
    const wanted = new Set(ids);
    return new Map(this.items.filter((i) => wanted.has(i.itemId)).map((i) => [i.itemId, i]));
  }

  /** The device's signer and opener for the live session and calls (undefined while locked). */
  liveKeys(): { signer: ReturnType<typeof signerOf>; opener: ReturnType<typeof openerOf> } | undefined {
    return this.#keys ? { signer: signerOf(this.#keys), opener: openerOf(this.#keys) } : undefined;
  }

  /** A current hub token (signing in again when it expired): the signaling socket's. */
  hubToken(): Promise<string> {
    return this.#withToken((token) => Promise.resolve(token));
  }

  /** Sends a text message in the consultation's thread; resolves with its id (see {@link replyStates}). */
  async message(itemId: string, text: string): Promise<string> {
    const c = this.consultations().find((x) => x.itemId === itemId);
    if (!c) throw new Error('no such consultation');
    const sealed = await sealMessage(
      this.#answerContext(),
      { from: c.item.from, itemId, envelopeId: c.item.envelopeId },
      { text },
    );
    return this.#reply(sealed, itemId);
  }

  /** Queues a sealed reply as waiting; its state moves to 'at_hub' once the hub holds it. */
  async #reply(sealed: { id: string; bytes: Uint8Array }, itemId: string): Promise<string> {
    this.replyStates.set(sealed.id, 'queued');
    await this.#queue({ id: sealed.id, bytes: sealed.bytes, replyTo: itemId });
    this.#changed();
    return sealed.id;
  }
}

/** Rejects with a `timeout` {@link ConsoleDbError} if `promise` has not settled in `ms`. */
function settleWithin<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new ConsoleDbError('timeout', `the database did not answer in ${ms} ms`)),
      ms,
    );
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
