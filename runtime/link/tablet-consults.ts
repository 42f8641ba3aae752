import { createHash } from 'node:crypto';
import { z } from 'zod';
import { decodeWire, encodeWire } from '../../crypto/wire-cbor.ts';
import { CONSULTATION_OUTBOX_KIND, consultationOfOutbox, type RecordStore } from '../../store/index.ts';
import type { ConsultationRecord } from '../../store/schema/consultation.ts';
import type { KitEvent } from '../events.ts';
import type {
  DeliveryState as TabletState,
  WireAnswer,
  WireConsultationChange,
  WireDelivery as TabletDelivery,
  WireOutboxItem,
} from '../http/api/wire-types.ts';
import { MAX_VOICE_ANSWER_BYTES } from '../http/api/wire-types.ts';
import { toWireObservation } from '../http/wire.ts';
import type { LiveBus } from '../live-bus.ts';
import type { Logger } from '../log.ts';
import type { WireDelivery as LinkDelivery } from './delivery.ts';
import {
  ConclusionBody,
  type ConsultationBody,
  type ItemKind,
  MessageBody,
  type SentRecord,
} from './items.ts';
import type { InboxEntry } from './link-inbox.ts';
import type { SendInput } from './link-outbox.ts';

/** What the bridge uses of the kit's store. */
export type ConsultStore = Pick<
  RecordStore,
  | 'peekOutbox'
  | 'ackOutbox'
  | 'getConsultation'
  | 'getVisit'
  | 'getPatient'
  | 'getObservation'
  | 'getAttachment'
  | 'linkGet'
  | 'linkScan'
  | 'linkTransaction'
>;

/** What the bridge uses of the kit's link (runtime/link/kit-link.ts). */
export interface ConsultLink {
  send(input: SendInput): Promise<{ readonly outboxId: string; readonly itemId: string }>;
  specialists(): { id: string; name: string }[];
  items(): LinkDelivery[];
  inboxEntries(): Promise<InboxEntry[]>;
}

/** Options of {@link TabletConsults}. */
export interface TabletConsultsOptions {
  readonly store: ConsultStore;
  readonly link: ConsultLink;
  readonly bus: LiveBus<KitEvent>;
  readonly log: Logger;
}

/** Where a tablet's consultation went on the link (kept as a link record, `tc/<consultation id>`). */
const Forwarded = z.object({
  consultationId: z.string(),
  visitId: z.string(),
  /** The store's outbox id the tablet knows the request by. */
  outboxId: z.string(),
  /** Set once sent; a claim without it was interrupted (see {@link TabletConsults.start}). */
  linkId: z.string().optional(),
  itemId: z.string().optional(),
  to: z.string(),
  claimedAt: z.number(),
  parts: z.array(z.object({ linkId: z.string(), itemId: z.string(), kind: z.string() })).default([]),
});
type Forwarded = z.infer<typeof Forwarded>;
const PREFIX = 'tc/';

/** Media types of a specialist's voice message the tablet plays (what MediaRecorder makes). */
const VOICE_MEDIA = /^audio\/(webm|ogg|mp4)(;\s*codecs="?[a-z0-9.]{1,20}"?)?$/i;

/** The link's item kind for a stored attachment. */
const ATTACHMENT_KINDS: Readonly<Record<string, ItemKind>> = {
  photo: 'photo',
  voice: 'voice',
  ecg: 'ecg',
  waveform: 'waveform',
  document: 'document',
  other: 'document',
};

/** Russian words of the tablet's specialties: how the specialist reads the request, and whom to pick. */
const SPECIALTIES: Readonly<Record<string, string>> = {
  therapy: 'терапевт',
  cardiology: 'кардиолог',
  neurology: 'невролог',
  pulmonology: 'пульмонолог',
  pediatrics: 'педиатр',
  surgery: 'хирург',
  traumatology: 'травматолог',
  endocrinology: 'эндокринолог',
  infectious: 'инфекционист',
  obstetrics: 'акушер',
  dermatology: 'дерматолог',
  psychiatry: 'психиатр',
};

const SEX = { male: 'm', female: 'f', other: 'x' } as const;

function ageOf(birthDate: string, now: Date): number {
  const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number];
  let age = now.getUTCFullYear() - y;
  if (now.getUTCMonth() + 1 < m || (now.getUTCMonth() + 1 === m && now.getUTCDate() < d)) age--;
  return age;
}

/** The tablet's state word for a link state (the wire spells the hub with a hyphen). */
function tabletState(s: LinkDelivery['state']): TabletState {
  return s === 'at_hub' ? 'at-hub' : s;
}

/**
 * Carries the consultations written on the tablets to the specialists and their answers back:
 * each request the tablet API stored on the outbox is sent on the link (its readings as their
 * exact bytes, its photos and voice notes as their own items, to the directory's specialist of
 * the asked specialty, or the first one), then taken off the store's outbox. It answers the
 * tablet API's questions: where each request is (the link's delivery state, with bytes), and
 * the specialists' messages and conclusions of a visit, each with the kit's verdict on its
 * signature. Changes of both go out live as `consultation` events.
 */
export class TabletConsults {
  readonly #o: TabletConsultsOptions;
  readonly #forwarded = new Map<string, Forwarded>();
  readonly #answers = new Map<string, WireAnswer>();
  #run: Promise<void> = Promise.resolve();
  #again = false;
  #running = false;
  #off: (() => void) | undefined;
  #stopped = false;

  constructor(options: TabletConsultsOptions) {
    this.#o = options;
  }

  /**
   * Loads what was forwarded, reads the answers already received, and forwards what waits. A
   * claim left without a link id (the kit stopped between sending and recording it) adopts the
   * consultation the link holds for that recipient from that moment, so it is not sent twice.
   */
  async start(): Promise<void> {
    for (const { key, body } of await this.#o.store.linkScan(PREFIX)) {
      const parsed = Forwarded.safeParse(body);
      if (parsed.success) this.#forwarded.set(parsed.data.consultationId, parsed.data);
      else this.#o.log.warn({ key }, 'tablet consultations: unreadable forwarding record');
    }
    await this.#adoptInterrupted();
    for (const entry of await this.#o.link.inboxEntries()) this.#learn(entry);
    this.#off = this.#o.bus.subscribe((e) => this.#onEvent(e));
    this.kick();
    await this.#run;
  }

  /** Waits for the forwarding in progress. */
  async idle(): Promise<void> {
    while (this.#running) await this.#run;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#off?.();
    await this.#run;
  }

  /** Forwards whatever waits on the outbox (again, if a pass is running). */
  kick(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    this.#run = (async () => {
      do {
        this.#again = false;
        await this.#forwardAll().catch((err: unknown) =>
          this.#o.log.warn({ err: String(err) }, 'tablet consultations: forwarding failed; will retry'),
        );
      } while (this.#again && !this.#stopped);
      this.#running = false;
    })();
  }

  /** Where a request is, by the store's outbox id (the API's {@link DeliveryTracker}). */
  delivery(outboxId: string): TabletDelivery {
    const f = [...this.#forwarded.values()].find((x) => x.outboxId === outboxId);
    return this.#deliveryOf(f, new Map(this.#o.link.items().map((d) => [d.id, d])));
  }

  /** Every request forwarded, with its parts, newest first (the outbox screen's list). */
  tracked(): WireOutboxItem[] {
    const items = new Map(this.#o.link.items().map((d) => [d.id, d]));
    const out: WireOutboxItem[] = [];
    const forwarded = [...this.#forwarded.values()].filter((f) => f.linkId !== undefined);
    forwarded.sort((a, b) => b.claimedAt - a.claimedAt);
    for (const f of forwarded) {
      const main = items.get(f.linkId!);
      out.push({
        id: f.outboxId,
        kind: CONSULTATION_OUTBOX_KIND,
        priority: main?.priority === 1 ? 'urgent' : 'routine',
        createdAt: main?.createdAt ?? new Date(f.claimedAt).toISOString(),
        consultationId: f.consultationId,
        visitId: f.visitId,
        delivery: this.#deliveryOf(f, items),
      });
      for (const p of f.parts) {
        const d = items.get(p.linkId);
        out.push({
          id: p.linkId,
          kind: p.kind,
          priority: 'bulk',
          createdAt: d?.createdAt ?? new Date(f.claimedAt).toISOString(),
          consultationId: f.consultationId,
          visitId: f.visitId,
          delivery: d ? this.#fromLink(d, f.to) : this.#waiting(f.to),
        });
      }
    }
    return out;
  }

  /** The visit and addressee of a consultation this kit sent, by its link item id (live sessions). */
  visitOfItem(itemId: string): { visitId: string; to: string } | undefined {
    const f = this.#byItemId(itemId);
    return f ? { visitId: f.visitId, to: f.to } : undefined;
  }

  /** The specialists' messages and conclusions of a visit, oldest first. */
  answers(visitId: string): WireAnswer[] {
    const ids = new Set(
      [...this.#forwarded.values()].filter((f) => f.visitId === visitId).map((f) => f.consultationId),
    );
    return [...this.#answers.values()]
      .filter((a) => ids.has(a.consultationId))
      .sort((a, b) => (a.at < b.at ? -1 : 1));
  }

  #name(id: string): string {
    return this.#o.link.specialists().find((s) => s.id === id)?.name ?? id;
  }

  #waiting(to: string | null): TabletDelivery {
    return {
      state: 'stored',
      progress: null,
      linkPresent: true,
      since: null,
      bytes: null,
      to,
      retryAt: null,
    };
  }

  #fromLink(d: LinkDelivery, to: string): TabletDelivery {
    return {
      state: tabletState(d.state),
      progress: d.state === 'sending' && d.size > 0 ? d.bytesAcked / d.size : null,
      linkPresent: true,
      since: d.updatedAt,
      bytes: d.size > 0 ? { sent: d.bytesAcked, total: d.size } : null,
      to: this.#name(to),
      retryAt: d.refusal?.retryAt ?? null,
    };
  }

  #deliveryOf(f: Forwarded | undefined, items: ReadonlyMap<string, LinkDelivery>): TabletDelivery {
    if (!f?.linkId) return this.#waiting(f ? this.#name(f.to) : null);
    const d = items.get(f.linkId);
    return d ? this.#fromLink(d, f.to) : this.#waiting(this.#name(f.to));
  }

  #byLinkId(linkId: string): Forwarded | undefined {
    return [...this.#forwarded.values()].find(
      (f) => f.linkId === linkId || f.parts.some((p) => p.linkId === linkId),
    );
  }

  #byItemId(itemId: string): Forwarded | undefined {
    return [...this.#forwarded.values()].find((f) => f.itemId === itemId);
  }

  #onEvent(e: KitEvent): void {
    if (
      e.type === 'link-status' ||
      (e.type === 'visit' && e.change.kind === 'entry' && e.change.entry.consultation)
    )
      this.kick();
    else if (e.type === 'link-state') {
      const f = this.#byLinkId(e.delivery.id);
      if (f?.linkId === e.delivery.id)
        this.#publish({
          kind: 'delivery',
          visitId: f.visitId,
          consultationId: f.consultationId,
          outboxId: f.outboxId,
          delivery: this.#fromLink(e.delivery, f.to),
        });
    } else if (e.type === 'link-received' && e.item.ref !== null && this.#byItemId(e.item.ref)) {
      const envelopeId = e.item.envelopeId;
      void this.#o.link
        .inboxEntries()
        .then((entries) => {
          const entry = entries.find((x) => x.envelopeId === envelopeId);
          const answer = entry ? this.#learn(entry) : undefined;
          const f = entry?.ref ? this.#byItemId(entry.ref) : undefined;
          if (answer && f)
            this.#publish({ kind: 'answer', visitId: f.visitId, consultationId: f.consultationId, answer });
        })
        .catch((err: unknown) =>
          this.#o.log.warn({ err: String(err) }, 'tablet consultations: answer unread'),
        );
    }
  }

  #publish(change: WireConsultationChange): void {
    this.#o.bus.publish({ type: 'consultation', change });
  }

  /** Turns a received message or conclusion answering a tablet's request into its wire form. */
  #learn(entry: InboxEntry): WireAnswer | undefined {
    if (entry.kind !== 'message' && entry.kind !== 'conclusion' && entry.kind !== 'voice') return undefined;
    const f = entry.ref ? this.#byItemId(entry.ref) : undefined;
    if (!f) return undefined;
    const decoded = decodeWire(entry.body);
    const value = decoded.ok ? decoded.value : undefined;
    const reasons = entry.verdict.reasons.map((r) => r.split(':')[0]!.trim());
    const author = this.#name(entry.from);
    let answer: WireAnswer;
    if (entry.kind === 'voice') {
      // A voice message from the console: carried inline (bounded) so the tablet plays it offline.
      const media = entry.media ?? '';
      const playable = VOICE_MEDIA.test(media) && entry.body.byteLength <= MAX_VOICE_ANSWER_BYTES;
      answer = {
        id: entry.envelopeId,
        consultationId: f.consultationId,
        kind: 'voice',
        author,
        text: '',
        at: entry.sentAt,
        signature: { verified: entry.verdict.verified, signer: author, reasons },
        conclusion: null,
        audio: playable
          ? {
              mediaType: media,
              dataUrl: `data:${media};base64,${Buffer.from(entry.body).toString('base64')}`,
            }
          : null,
      };
    } else if (entry.kind === 'message') {
      const body = MessageBody.safeParse(value);
      answer = {
        id: entry.envelopeId,
        consultationId: f.consultationId,
        kind: 'message',
        author,
        text: body.success ? body.data.text : '',
        at: entry.sentAt,
        signature: { verified: entry.verdict.verified, signer: author, reasons },
        conclusion: null,
      };
    } else {
      const body = ConclusionBody.safeParse(value);
      const c = body.success ? body.data : undefined;
      answer = {
        id: entry.envelopeId,
        consultationId: f.consultationId,
        kind: 'conclusion',
        author,
        text: c?.text ?? '',
        at: entry.sentAt,
        signature: { verified: entry.verdict.verified, signer: author, reasons },
        conclusion: c
          ? {
              findings: c.findings ?? null,
              diagnosis: c.diagnosis ?? null,
              icd10: c.icd10 ?? null,
              recommendations: c.recommendations ?? null,
              referral: typeof c.referral === 'string' || c.referral === true ? c.referral : null,
            }
          : null,
      };
    }
    this.#answers.set(answer.id, answer);
    return answer;
  }

  async #adoptInterrupted(): Promise<void> {
    const claimed = new Set([...this.#forwarded.values()].flatMap((f) => (f.linkId ? [f.linkId] : [])));
    for (const f of this.#forwarded.values()) {
      if (f.linkId) continue;
      const held = this.#o.link
        .items()
        .filter((d) => d.kind === 'consultation' && d.to === f.to && !claimed.has(d.id))
        .filter((d) => Date.parse(d.createdAt) >= f.claimedAt - 1000)
        .sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1))[0];
      if (!held) continue;
      claimed.add(held.id);
      await this.#record({ ...f, linkId: held.id, itemId: held.itemId });
      this.#o.log.warn(
        { consultation: f.consultationId },
        'tablet consultations: adopted an interrupted send',
      );
    }
  }

  async #record(f: Forwarded): Promise<void> {
    await this.#o.store.linkTransaction((tx) => tx.put(`${PREFIX}${f.consultationId}`, { ...f }));
    this.#forwarded.set(f.consultationId, f);
  }

  /** The specialist for a specialty: one whose directory name says it, else the first listed. */
  #recipient(specialty: string): string | undefined {
    const all = this.#o.link.specialists();
    const word = SPECIALTIES[specialty];
    return (word && all.find((s) => s.name.toLowerCase().includes(word))?.id) ?? all[0]?.id;
  }

  async #forwardAll(): Promise<void> {
    const pending = await this.#o.store.peekOutbox(500);
    for (const item of pending) {
      if (this.#stopped) return;
      const ref = consultationOfOutbox(item.kind, item.payload);
      if (!ref) continue;
      const known = this.#forwarded.get(ref.consultationId);
      // A claim with no link id that start() could not adopt was never sent: it is sent now.
      if (known?.linkId) {
        // Sent and recorded; only the removal from the store's outbox was left to do.
        await this.#o.store.ackOutbox(item.id);
        continue;
      }
      const consultation = await this.#o.store.getConsultation(ref.consultationId);
      const to = this.#recipient(consultation.specialty);
      if (!to) return; // no specialist in the pinned directory yet: everything waits, stored
      await this.#forward(consultation, item.id, to);
    }
  }

  async #forward(c: ConsultationRecord, outboxId: string, to: string): Promise<void> {
    const { store, link } = this.#o;
    const claim: Forwarded = {
      consultationId: c.id,
      visitId: c.visitId,
      outboxId,
      to,
      claimedAt: Date.now(),
      parts: [],
    };
    await this.#record(claim);
    // Photos and voice first (they travel last, by priority), so the request names their items.
    const parts: Forwarded['parts'] = [];
    for (const id of c.attachmentIds) {
      const a = await store.getAttachment(id);
      const kind = ATTACHMENT_KINDS[a.kind] ?? 'document';
      const sent = await link.send({ kind, to, attachmentId: id, media: a.mediaType });
      parts.push({ linkId: sent.outboxId, itemId: sent.itemId, kind });
    }
    const records: SentRecord[] = [];
    for (const id of c.observationIds) {
      const record = await store.getObservation(id);
      records.push({ id, kind: 'observation', cbor: encodeWire(toWireObservation(record)) });
    }
    const body: ConsultationBody = {
      urgency: c.urgency,
      question: this.#question(c),
      ...(await this.#patient(c)),
      records,
      attachments: parts.map((p) => p.itemId),
      ...this.#earlier(c),
    };
    const sent = await link.send({
      kind: 'consultation',
      to,
      urgent: c.urgency === 'urgent',
      body: encodeWire(body),
      media: 'application/cbor',
      records: records.map((r) => ({ id: r.id, sha256: createHash('sha256').update(r.cbor).digest('hex') })),
    });
    await this.#record({ ...claim, linkId: sent.outboxId, itemId: sent.itemId, parts });
    await store.ackOutbox(outboxId);
    this.#o.log.info({ consultation: c.id, to, parts: parts.length }, 'tablet consultation sent on the link');
    const d = link.items().find((x) => x.id === sent.outboxId);
    if (d)
      this.#publish({
        kind: 'delivery',
        visitId: c.visitId,
        consultationId: c.id,
        outboxId,
        delivery: this.#fromLink(d, to),
      });
  }

  /** The item ids of the visit's consultations sent before this one (oldest first), if any. */
  #earlier(c: ConsultationRecord): { earlier?: string[] } {
    const earlier = [...this.#forwarded.values()]
      .filter((f) => f.visitId === c.visitId && f.consultationId !== c.id && f.itemId)
      .sort((a, b) => a.claimedAt - b.claimedAt)
      .map((f) => f.itemId!)
      .slice(-100);
    return earlier.length > 0 ? { earlier } : {};
  }

  /** The question as the specialist reads it: the feldsher's words, the specialty and NEWS2. */
  #question(c: ConsultationRecord): string {
    const facts = [
      `специальность: ${SPECIALTIES[c.specialty] ?? c.specialty}`,
      ...(c.news2Total === null ? [] : [`NEWS2: ${c.news2Total}`]),
    ];
    return `${c.question}\n\n(${facts.join('; ')})`;
  }

  /** Age and sex only: names stay on the kit. */
  async #patient(c: ConsultationRecord): Promise<Pick<ConsultationBody, 'patient'>> {
    const visit = await this.#o.store.getVisit(c.visitId);
    if (visit.patientId === null) return {};
    const p = await this.#o.store.getPatient(visit.patientId);
    const sex = p.sex === 'unknown' ? undefined : SEX[p.sex];
    const age = p.birthDate ? ageOf(p.birthDate, new Date()) : undefined;
    const patient = {
      ...(age !== undefined && age >= 0 && age <= 130 ? { age } : {}),
      ...(sex ? { sex } : {}),
    };
    return Object.keys(patient).length > 0 ? { patient } : {};
  }
}
