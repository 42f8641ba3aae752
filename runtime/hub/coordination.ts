import { z } from 'zod';
import type { Directory } from '../../crypto/directory.ts';
import { LinkAddress, LinkPriority } from '../../crypto/signed-item.ts';
import type { LinkKv } from '../link/link-kv.ts';
import type { MailboxRoute } from './mailbox.ts';

/*
 * Layout (link records of the hub's own encrypted store):
 *   crd/c/<envelope id>     a consultation: address, priority, sender, arrival, claim, answered
 *   crd/a/<seq 12 hex>      audit entry: who did what to which consultation, when
 *   crd/seq                 audit counter
 */
const P = 'crd/';
const caseKey = (id: string) => `${P}c/${id}`;
const AUDIT = `${P}a/`;
const SEQ = `${P}seq`;
const auditKey = (seq: number) => `${AUDIT}${seq.toString(16).padStart(12, '0')}`;
/** Consultations the hub keeps track of at most (the oldest answered ones are forgotten first). */
export const MAX_CASES = 20_000;
/** Audit entries returned at most by one request. */
export const MAX_AUDIT_PAGE = 500;

/** Answer deadlines per urgency (ms), as the organisation configured them for the hub. */
export interface HubDeadlines {
  readonly urgentMs: number;
  readonly routineMs: number;
}

/** Urgent within 30 minutes, routine within a day (the console's defaults too). */
export const DEFAULT_HUB_DEADLINES: HubDeadlines = { urgentMs: 30 * 60_000, routineMs: 24 * 3600_000 };

/** Who holds a consultation. */
const Claim = z.object({
  by: LinkAddress,
  at: z.number().int(),
  /** The coordinator who assigned it, when it was assigned rather than taken. */
  assignedBy: LinkAddress.optional(),
});

/** A consultation as the hub knows it: only its clear header, sender and arrival. */
export const CaseRecord = z.object({
  id: z.string().regex(/^[0-9a-f]{64}$/),
  to: LinkAddress,
  pri: LinkPriority,
  from: LinkAddress,
  arrivedAt: z.number().int(),
  claim: Claim.optional(),
  answeredAt: z.number().int().optional(),
  answeredBy: LinkAddress.optional(),
});
/** See {@link CaseRecord}. */
export type CaseRecord = z.infer<typeof CaseRecord>;

/** One audited action. */
export const AuditEntry = z.object({
  seq: z.number().int(),
  at: z.number().int(),
  actor: LinkAddress,
  /** The acting device (hex key). */
  device: z.string().regex(/^[0-9a-f]{64}$/),
  action: z.enum(['claim', 'release', 'assign', 'answered', 'dismiss']),
  case: z.string().regex(/^[0-9a-f]{64}$/),
  /** The identity a consultation was assigned to, or the previous holder it was taken from. */
  target: LinkAddress.optional(),
});
/** See {@link AuditEntry}. */
export type AuditEntry = z.infer<typeof AuditEntry>;

/** A consultation as a caller of GET /api/cases sees it. */
export interface CaseView {
  readonly id: string;
  readonly to: string;
  readonly urgency: 'urgent' | 'routine';
  readonly from: string;
  readonly arrivedAt: number;
  readonly dueAt: number;
  readonly overdueMs: number;
  readonly claim: { readonly by: string; readonly at: number; readonly assignedBy?: string } | null;
  /** Identities that may hold it (those the envelope was sealed for). */
  readonly candidates: readonly string[];
}

/**
 * What changed in a caller's queue since its cursor (GET /api/cases?since=): the open
 * consultations that are new or changed, the ids that left (answered, dismissed, no longer
 * visible), and the cursor to ask with next time. `full`: the whole list (no cursor, or one this
 * hub process did not issue or has forgotten): the caller replaces what it had.
 * `overdueMs` of an unchanged case is not sent again: callers count it from `dueAt`.
 */
export interface CaseDelta {
  readonly cases: CaseView[];
  readonly removed: string[];
  readonly cursor: string;
  readonly full: boolean;
}

/** Removals remembered for callers' cursors; an older cursor gets the full list. */
const MAX_REMOVED_LOG = 50_000;

/** The acting identity (from its authenticated device). */
export interface Actor {
  readonly identity: string;
  readonly device: string;
  readonly role: 'kit' | 'specialist' | 'coordinator';
}

/** Why a coordination request was refused. */
export type CoordinationRefusal =
  | { readonly error: 'not_found' }
  | { readonly error: 'forbidden'; readonly why: string }
  | { readonly error: 'taken'; readonly by: string }
  | { readonly error: 'answered' };

/**
 * The seeds' coordination subsystem, on the hub: which consultations are open, who has taken
 * each, what is overdue, and reassignment by a coordinator. The hub cannot read an envelope, so
 * it knows a consultation only by what is clear: an envelope a kit uploads at priority 1 (urgent)
 * or 3 (routine) to a specialist or team, its id, address and arrival time. (A kit's urgent
 * message rides at priority 1 too; the console that opens it dismisses it here.) Only identities
 * the envelope was sealed for may take it; every change is audited in the hub's store.
 */
export class Coordination {
  readonly #kv: LinkKv;
  readonly #directory: () => Directory | undefined;
  readonly #deadlines: HubDeadlines;
  readonly #now: () => number;
  /**
   * Every consultation record, read from the store once and then kept in step with each write
   * (this class is the only writer): listing the queue is a walk of memory, not a scan and
   * decryption of up to 20,000 records every few seconds per console.
   */
  #cache: Map<string, CaseRecord> | undefined;
  #loading: Promise<Map<string, CaseRecord>> | undefined;
  /** This process's cursors: a random prefix, then a change counter. */
  readonly #epoch = Math.random().toString(36).slice(2, 10);
  #rev = 0;
  /** The change counter at each case's last change; and at each id's removal. */
  readonly #changedAt = new Map<string, number>();
  readonly #removedAt = new Map<string, number>();
  /** Cursors at or below this may have missed a forgotten removal. */
  #removedFloor = 0;

  constructor(
    kv: LinkKv,
    directory: () => Directory | undefined,
    options: { deadlines?: HubDeadlines; now?: () => number } = {},
  ) {
    this.#kv = kv;
    this.#directory = directory;
    this.#deadlines = options.deadlines ?? DEFAULT_HUB_DEADLINES;
    this.#now = options.now ?? Date.now;
  }

  /** Notes a stored envelope; kept as a consultation when a kit sent it at priority 1 or 3. */
  async arrived(id: string, route: MailboxRoute, sender: { identity: string; role: string }): Promise<void> {
    if (route.kind !== 'envelope' || sender.role !== 'kit') return;
    if (route.priority !== 1 && route.priority !== 3) return;
    if (this.#directory()?.identity(route.to)?.role === 'kit') return;
    const record = CaseRecord.parse({
      id,
      to: route.to,
      pri: route.priority,
      from: sender.identity,
      arrivedAt: this.#now(),
    });
    const cache = await this.#records();
    const added = await this.#kv.linkTransaction((tx) => {
      if (tx.get(caseKey(id))) return false;
      tx.put(caseKey(id), { ...record });
      return true;
    });
    if (added) this.#touch(cache, id, record);
    await this.#prune();
  }

  /** Identities an address reaches (a team: its members). */
  #recipients(to: string): string[] {
    const dir = this.#directory();
    const listed = dir?.recipientsOf(to) ?? [to];
    return listed.filter((id) => dir?.identity(id)?.role !== 'team');
  }

  #view(c: CaseRecord, now: number): CaseView {
    const urgency = c.pri === 1 ? 'urgent' : 'routine';
    const dueAt = c.arrivedAt + (urgency === 'urgent' ? this.#deadlines.urgentMs : this.#deadlines.routineMs);
    return {
      id: c.id,
      to: c.to,
      urgency,
      from: c.from,
      arrivedAt: c.arrivedAt,
      dueAt,
      overdueMs: Math.max(0, now - dueAt),
      claim: c.claim ?? null,
      candidates: this.#recipients(c.to),
    };
  }

  /** The records, read from the store on first use (concurrent first callers share one read). */
  #records(): Promise<Map<string, CaseRecord>> {
    if (this.#cache) return Promise.resolve(this.#cache);
    this.#loading ??= (async () => {
      const map = new Map<string, CaseRecord>();
      for (const e of await this.#kv.linkScan(`${P}c/`, MAX_CASES + 1)) {
        const parsed = CaseRecord.safeParse(e.body);
        if (parsed.success) map.set(parsed.data.id, parsed.data);
      }
      this.#cache = map;
      return map;
    })();
    return this.#loading;
  }

  /** Keeps the cache in step with a committed write, and counts the change for cursors. */
  #touch(cache: Map<string, CaseRecord>, id: string, record: CaseRecord | undefined): void {
    this.#rev++;
    if (record) {
      cache.set(id, record);
      this.#removedAt.delete(id);
      this.#changedAt.set(id, this.#rev);
      // An answered case leaves the queues: for callers it is a removal.
      if (record.answeredAt !== undefined) this.#removedAt.set(id, this.#rev);
    } else {
      cache.delete(id);
      this.#changedAt.delete(id);
      this.#removedAt.set(id, this.#rev);
    }
    if (this.#removedAt.size > MAX_REMOVED_LOG) {
      // Forget the oldest half; cursors from before then get the full list.
      const drop = [...this.#removedAt].sort((a, b) => a[1] - b[1]).slice(0, MAX_REMOVED_LOG / 2);
      for (const [k, rev] of drop) {
        this.#removedAt.delete(k);
        this.#removedFloor = Math.max(this.#removedFloor, rev);
      }
    }
  }

  async #all(): Promise<CaseRecord[]> {
    return [...(await this.#records()).values()];
  }

  #visible(actor: Actor, c: CaseRecord): boolean {
    return actor.role === 'coordinator' || this.#recipients(c.to).includes(actor.identity);
  }

  /**
   * Open consultations the actor may see, urgent first then longest waiting: a coordinator sees
   * all of them, a specialist those sealed for it. A kit sees none.
   */
  async open(actor: Actor): Promise<CaseView[]> {
    if (actor.role === 'kit') return [];
    const now = this.#now();
    return (await this.#all())
      .filter((c) => c.answeredAt === undefined)
      .filter((c) => this.#visible(actor, c))
      .sort((a, b) => a.pri - b.pri || a.arrivedAt - b.arrivedAt || (a.id < b.id ? -1 : 1))
      .map((c) => this.#view(c, now));
  }

  /**
   * The caller's queue as a change since `since` (a cursor an earlier call returned), or whole
   * when there is no usable cursor. A console polling every few seconds then costs the hub a walk
   * of the ids changed since (usually none) and an answer of a few bytes.
   */
  async changes(actor: Actor, since?: string): Promise<CaseDelta> {
    const cache = await this.#records();
    const cursor = `${this.#epoch}.${this.#rev}`;
    const m = since ? /^([a-z0-9]{1,12})\.(\d{1,15})$/.exec(since) : null;
    const from = m && m[1] === this.#epoch ? Number(m[2]) : undefined;
    if (from === undefined || from > this.#rev || from < this.#removedFloor || actor.role === 'kit')
      return { cases: await this.open(actor), removed: [], cursor, full: true };
    const now = this.#now();
    const cases: CaseView[] = [];
    for (const [id, rev] of this.#changedAt) {
      if (rev <= from) continue;
      const c = cache.get(id);
      if (c && c.answeredAt === undefined && this.#visible(actor, c)) cases.push(this.#view(c, now));
    }
    const removed: string[] = [];
    for (const [id, rev] of this.#removedAt) if (rev > from) removed.push(id);
    return { cases, removed, cursor, full: false };
  }

  /** Who holds an open consultation (identity), if anyone; undefined for an unknown or closed one. */
  async holderOf(id: string): Promise<string | null | undefined> {
    const c = (await this.#records()).get(id);
    if (!c || c.answeredAt !== undefined) return undefined;
    return c.claim?.by ?? null;
  }

  /** Takes a consultation for the actor; refused when another identity holds it. */
  claim(actor: Actor, id: string): Promise<CaseView | CoordinationRefusal> {
    return this.#change(actor, id, 'claim', (c) => {
      if (!this.#recipients(c.to).includes(actor.identity))
        return { error: 'forbidden', why: 'the consultation was not sent to you' };
      if (c.claim && c.claim.by !== actor.identity) return { error: 'taken', by: c.claim.by };
      if (c.claim) return { record: c };
      return { record: { ...c, claim: { by: actor.identity, at: this.#now() } } };
    });
  }

  /** Gives back a consultation the actor holds. */
  release(actor: Actor, id: string): Promise<CaseView | CoordinationRefusal> {
    return this.#change(actor, id, 'release', (c) => {
      if (c.claim?.by !== actor.identity) return { error: 'forbidden', why: 'you do not hold it' };
      const { claim: _dropped, ...rest } = c;
      return { record: rest };
    });
  }

  /** A coordinator gives a consultation to one of the identities it was sealed for. */
  assign(actor: Actor, id: string, to: string): Promise<CaseView | CoordinationRefusal> {
    return this.#change(actor, id, 'assign', (c) => {
      if (actor.role !== 'coordinator') return { error: 'forbidden', why: 'only a coordinator reassigns' };
      if (!this.#recipients(c.to).includes(to))
        return { error: 'forbidden', why: `${to} cannot read this consultation` };
      return {
        record: { ...c, claim: { by: to, at: this.#now(), assignedBy: actor.identity } },
        target: to,
      };
    });
  }

  /** The holder (or, unclaimed, any recipient) reports its conclusion sent: it leaves the queues. */
  answered(actor: Actor, id: string): Promise<CaseView | CoordinationRefusal> {
    return this.#change(actor, id, 'answered', (c) => {
      if (!this.#recipients(c.to).includes(actor.identity))
        return { error: 'forbidden', why: 'the consultation was not sent to you' };
      if (c.claim && c.claim.by !== actor.identity) return { error: 'taken', by: c.claim.by };
      return { record: { ...c, answeredAt: this.#now(), answeredBy: actor.identity } };
    });
  }

  /** A recipient that opened the envelope says it is not a consultation (a message): forgotten. */
  dismiss(actor: Actor, id: string): Promise<CaseView | CoordinationRefusal> {
    return this.#change(actor, id, 'dismiss', (c) => {
      if (!this.#recipients(c.to).includes(actor.identity))
        return { error: 'forbidden', why: 'the consultation was not sent to you' };
      return { record: undefined };
    });
  }

  /** The latest audit entries, newest first (coordinators only: the caller checks). */
  async audit(limit = MAX_AUDIT_PAGE): Promise<AuditEntry[]> {
    const last = await this.#kv.linkGet(SEQ);
    const seq = typeof last?.n === 'number' ? last.n : 0;
    const count = Math.max(0, Math.min(limit, MAX_AUDIT_PAGE));
    const first = Math.max(1, seq - count + 1);
    const entries = await this.#kv.linkScan(AUDIT, count, auditKey(first));
    return entries
      .map((e) => AuditEntry.safeParse(e.body))
      .filter((p) => p.success)
      .map((p) => p.data)
      .reverse();
  }

  async #change(
    actor: Actor,
    id: string,
    action: AuditEntry['action'],
    decide: (c: CaseRecord) => { record: CaseRecord | undefined; target?: string } | CoordinationRefusal,
  ): Promise<CaseView | CoordinationRefusal> {
    if (actor.role === 'kit') return { error: 'forbidden', why: 'kits do not take consultations' };
    const now = this.#now();
    const cache = await this.#records();
    let written: { record: CaseRecord | undefined } | undefined;
    const result = await this.#kv.linkTransaction((tx): CaseView | CoordinationRefusal => {
      const parsed = CaseRecord.safeParse(tx.get(caseKey(id)));
      if (!parsed.success) return { error: 'not_found' };
      if (parsed.data.answeredAt !== undefined) return { error: 'answered' };
      const decision = decide(parsed.data);
      if ('error' in decision) return decision;
      const previous = parsed.data.claim?.by;
      if (decision.record) tx.put(caseKey(id), { ...decision.record });
      else tx.delete(caseKey(id));
      written = { record: decision.record };
      const seqBody = tx.get(SEQ);
      const seq = (typeof seqBody?.n === 'number' ? seqBody.n : 0) + 1;
      tx.put(SEQ, { n: seq });
      const target = decision.target ?? (previous !== actor.identity ? previous : undefined);
      const entry: AuditEntry = {
        seq,
        at: now,
        actor: actor.identity,
        device: actor.device,
        action,
        case: id,
        ...(target ? { target } : {}),
      };
      tx.put(auditKey(seq), { ...entry });
      return this.#view(decision.record ?? parsed.data, now);
    });
    // Only once committed: a failed transaction leaves the cache as the store is.
    if (written) this.#touch(cache, id, written.record);
    return result;
  }

  /** Forgets the oldest answered consultations beyond {@link MAX_CASES}. */
  async #prune(): Promise<void> {
    if ((await this.#kv.linkCount(`${P}c/`)) <= MAX_CASES) return;
    const answered = (await this.#all())
      .filter((c) => c.answeredAt !== undefined)
      .sort((a, b) => a.answeredAt! - b.answeredAt!);
    const excess = answered.slice(0, Math.max(1, answered.length - MAX_CASES / 2));
    await this.#kv.linkTransaction((tx) => {
      for (const c of excess) tx.delete(caseKey(c.id));
    });
    const cache = await this.#records();
    for (const c of excess) this.#touch(cache, c.id, undefined);
  }
}
