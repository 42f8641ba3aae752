import { z } from 'zod';
import type { LinkRecordBody, ObservationRecord } from '../../../store/index.ts';
import { decodeWire } from '../../../crypto/wire-cbor.ts';
import { ConclusionBody, MessageBody } from '../../link/items.ts';

/** The part of the store the link's records are read through (RecordStore implements it). */
export interface LinkRecordSource {
  linkScan(prefix: string, limit?: number, from?: string): Promise<{ key: string; body: LinkRecordBody }[]>;
  linkGet(key: string): Promise<LinkRecordBody | undefined>;
  getObservation(id: string): Promise<ObservationRecord>;
}

/** A consultation the kit sent over the link, as its delivery record keeps it. */
export interface LinkConsultation {
  /** The signed item's id (hex): what answers refer to. */
  readonly itemId: string;
  /** The specialist's directory id. */
  readonly to: string;
  readonly urgent: boolean;
  readonly createdAt: string;
  readonly answered: boolean;
  /** Observation ids it carried (bound by SHA-256). */
  readonly observationIds: readonly string[];
}

/** A specialist's answer as the kit received it (verified or not). */
export interface LinkAnswer {
  readonly envelopeId: string;
  readonly itemId: string;
  readonly from: string;
  readonly to: string;
  readonly sentAt: string;
  readonly receivedAt: string;
  /** The item it answers (a consultation's item id). */
  readonly ref: string | null;
  readonly signed: Uint8Array;
  readonly signature: Uint8Array;
  readonly verified: boolean;
  readonly reasons: readonly string[];
  readonly answer:
    | { readonly kind: 'message'; readonly body: MessageBody }
    | { readonly kind: 'conclusion'; readonly body: ConclusionBody };
}

const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes');

const DeliveryShape = z.object({
  itemId: z.string(),
  kind: z.string(),
  to: z.string(),
  priority: z.number(),
  createdAt: z.string(),
  state: z.string(),
  records: z.array(z.object({ id: z.string() })).optional(),
});

const InboxShape = z.object({
  envelopeId: z.string(),
  itemId: z.string(),
  kind: z.string(),
  from: z.string(),
  to: z.string(),
  sentAt: z.string(),
  receivedAt: z.string(),
  ref: z.string().optional(),
  body: bytes,
  signed: bytes,
  signature: bytes,
  verdict: z.object({ verified: z.boolean(), reasons: z.array(z.string()) }),
});

const INBOX = 'rx/';
const DELIVERY = 'st/';
const PAGE = 256;

async function* scanAll(source: LinkRecordSource, prefix: string) {
  let from: string | undefined;
  for (;;) {
    const page = await source.linkScan(prefix, PAGE + (from === undefined ? 0 : 1), from);
    const fresh = from === undefined ? page : page.filter((e) => e.key !== from);
    yield* fresh;
    if (page.length < PAGE || fresh.length === 0) return;
    from = fresh[fresh.length - 1]!.key;
  }
}

function parseAnswer(body: LinkRecordBody): LinkAnswer | undefined {
  const e = InboxShape.safeParse(body);
  if (!e.success || (e.data.kind !== 'message' && e.data.kind !== 'conclusion')) return undefined;
  const d = decodeWire(e.data.body);
  if (!d.ok) return undefined;
  const answer =
    e.data.kind === 'message'
      ? (() => {
          const m = MessageBody.safeParse(d.value);
          return m.success ? { kind: 'message' as const, body: m.data } : undefined;
        })()
      : (() => {
          const c = ConclusionBody.safeParse(d.value);
          return c.success ? { kind: 'conclusion' as const, body: c.data } : undefined;
        })();
  if (!answer) return undefined;
  const { envelopeId, itemId, from, to, sentAt, receivedAt, signed, signature, verdict } = e.data;
  return {
    envelopeId,
    itemId,
    from,
    to,
    sentAt,
    receivedAt,
    ref: e.data.ref ?? null,
    signed,
    signature,
    verified: verdict.verified,
    reasons: verdict.reasons,
    answer,
  };
}

/** What the link holds for one visit. */
export interface VisitLinkItems {
  readonly consultations: readonly LinkConsultation[];
  /** Envelope ids of the answers (read one at a time with {@link LinkAnswers.answer}). */
  readonly answers: readonly string[];
}

const NONE: VisitLinkItems = { consultations: [], answers: [] };

/**
 * Which of the link's consultations and answers belong to which visit. The link does not name
 * visits: a consultation is tied to the visit of the readings it carried, a message or conclusion
 * to its consultation's visit, or (a conclusion without a known consultation) to the visit of the
 * readings it refers to. Built once per export from the delivery records and the inbox; only ids
 * are kept, and each answer is read again when its visit is written, so memory stays small.
 * Answers tied to no visit are not exported with visits (they are counted in `unplaced`).
 */
export class LinkAnswers {
  readonly #byVisit = new Map<string, { consultations: LinkConsultation[]; answers: string[] }>();
  readonly #source: LinkRecordSource;
  /** Answers no visit could be found for. */
  unplaced = 0;

  private constructor(source: LinkRecordSource) {
    this.#source = source;
  }

  /** Reads the link's delivery records and inbox and ties them to visits. */
  static async build(source: LinkRecordSource): Promise<LinkAnswers> {
    const index = new LinkAnswers(source);
    const visitOfObservation = new Map<string, string | null>();
    const visitOf = async (ids: readonly string[]): Promise<string | null> => {
      for (const id of ids) {
        if (!visitOfObservation.has(id)) {
          let visit: string | null;
          try {
            visit = (await source.getObservation(id)).visitId;
          } catch {
            visit = null; // unknown or damaged: not evidence of a visit
          }
          visitOfObservation.set(id, visit);
        }
        const v = visitOfObservation.get(id);
        if (v) return v;
      }
      return null;
    };
    const consultationVisit = new Map<string, string>();
    for await (const { body } of scanAll(source, DELIVERY)) {
      const r = DeliveryShape.safeParse(body);
      if (!r.success || r.data.kind !== 'consultation') continue;
      const observationIds = (r.data.records ?? []).map((x) => x.id);
      const visit = await visitOf(observationIds);
      if (!visit) continue;
      consultationVisit.set(r.data.itemId, visit);
      index.#slot(visit).consultations.push({
        itemId: r.data.itemId,
        to: r.data.to,
        urgent: r.data.priority === 1,
        createdAt: r.data.createdAt,
        answered: r.data.state === 'answered',
        observationIds,
      });
    }
    for await (const { body } of scanAll(source, INBOX)) {
      const a = parseAnswer(body);
      if (!a) continue;
      const visit =
        (a.ref === null ? undefined : consultationVisit.get(a.ref)) ??
        (a.answer.kind === 'conclusion' ? await visitOf(a.answer.body.refersTo.map((r) => r.id)) : null);
      if (!visit) {
        index.unplaced++;
        continue;
      }
      index.#slot(visit).answers.push(a.envelopeId);
    }
    return index;
  }

  #slot(visit: string) {
    let s = this.#byVisit.get(visit);
    if (!s) this.#byVisit.set(visit, (s = { consultations: [], answers: [] }));
    return s;
  }

  /** The link's consultations and answers for a visit. */
  forVisit(visitId: string): VisitLinkItems {
    return this.#byVisit.get(visitId) ?? NONE;
  }

  /** One answer, read again from the store (undefined if it is gone or unreadable). */
  async answer(envelopeId: string): Promise<LinkAnswer | undefined> {
    const body = await this.#source.linkGet(`${INBOX}${envelopeId}`);
    return body ? parseAnswer(body) : undefined;
  }
}
