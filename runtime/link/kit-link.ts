import { createHash } from 'node:crypto';
import { decodeWire, encodeWire } from '../../crypto/wire-cbor.ts';
import { toWireObservation } from '../http/wire.ts';
import type { RecordStore } from '../../store/index.ts';
import type { Logger } from '../log.ts';
import { HubSocketCarrier } from './carriers/hub-socket/hub-socket-carrier.ts';
import { toWireDelivery } from './delivery.ts';
import type { LinkEvent } from './endpoint.ts';
import { LinkEndpoint } from './endpoint.ts';
import { storeIdentity } from './endpoint-identity.ts';
import type { HubLinkStatus } from './hub-link.ts';
import { HubLink } from './hub-link.ts';
import type { ConsultationBody, SentRecord } from './items.ts';
import type { InboxEntry } from './link-inbox.ts';
import type { SendInput } from './link-outbox.ts';
import type { DeliveryRecord } from './delivery.ts';
import type { DirectLink } from './direct-link.ts';
import type { DirectPathsOptions } from './direct-paths.ts';
import { DirectPaths } from './direct-paths.ts';
import type { LivenessOptions } from './liveness.ts';
import type { PacingOptions } from './rate.ts';
import type { WireDelivery, WireInboxItem, WireLinkStatus } from './wire-link.ts';

/** What the kit's link announces (the composition root forwards these to the live bus). */
export type KitLinkEvent =
  | { readonly type: 'link-state'; readonly delivery: WireDelivery }
  | { readonly type: 'link-received'; readonly item: WireInboxItem }
  | { readonly type: 'link-status'; readonly status: WireLinkStatus };

/** Options of {@link startKitLink}. */
export interface KitLinkOptions {
  readonly store: RecordStore;
  readonly log: Logger;
  /** The organisation public key the kit is configured with. */
  readonly orgKey: Uint8Array;
  /** The hub, and its certificate (pinned). */
  readonly hub: { readonly url: string; readonly certPem: string };
  /** A directory to pin at set-up, if none is pinned yet. */
  readonly directory?: Uint8Array;
  readonly onEvent: (event: KitLinkEvent) => void;
  /**
   * The direct WebRTC path to specialists' consoles (on by default; `false` sends everything
   * through the hub). The hub's address comes from `hub`.
   */
  readonly direct?: false | Omit<DirectPathsOptions, 'hub' | 'onStatus'>;
  /** Heartbeat timing of every session (defaults: ping after 2 s quiet, lost after 6 s). */
  readonly liveness?: LivenessOptions;
  /** Sender pacing of every session (defaults suit a 256 kbit/s link). */
  readonly pacing?: PacingOptions;
}

/** A consultation as the tablet asks for it: the question and the stored readings it carries. */
export interface ConsultInput {
  /** The specialist's identity id in the directory. */
  readonly to: string;
  readonly urgency: 'urgent' | 'routine';
  readonly question: string;
  readonly patient?: ConsultationBody['patient'];
  /** Observation ids on this kit; each is sent as its exact bytes and bound by SHA-256. */
  readonly observationIds: readonly string[];
}

/** The kit's link as the rest of the kit sees it. */
export interface KitLink {
  readonly endpoint: LinkEndpoint;
  readonly hubLink: HubLink;
  /** The direct paths to specialists' consoles (absent when turned off). */
  readonly direct: DirectPaths | undefined;
  send(input: SendInput): Promise<DeliveryRecord>;
  /** Queues a consultation (durable on return); a conclusion is checked against its records. */
  consult(input: ConsultInput): Promise<WireDelivery>;
  /** Specialists in the pinned directory (id and name), for the tablet's choice. */
  specialists(): { id: string; name: string }[];
  items(): WireDelivery[];
  inbox(): Promise<WireInboxItem[]>;
  status(): WireLinkStatus;
  stop(): Promise<void>;
}

/** A received item in its wire form (message and conclusion texts decoded). */
export function toWireInboxItem(e: InboxEntry): WireInboxItem {
  let text: string | null = null;
  let diagnosis: string | null = null;
  if (e.kind === 'message' || e.kind === 'conclusion') {
    const d = decodeWire(e.body);
    const body = d.ok && d.value && typeof d.value === 'object' ? (d.value as Record<string, unknown>) : {};
    text = typeof body.text === 'string' ? body.text : null;
    diagnosis = typeof body.diagnosis === 'string' ? body.diagnosis : null;
  }
  return {
    envelopeId: e.envelopeId,
    itemId: e.itemId,
    kind: e.kind,
    from: e.from,
    sentAt: e.sentAt,
    receivedAt: e.receivedAt,
    ref: e.ref ?? null,
    verified: e.verdict.verified,
    reasons: e.verdict.reasons,
    text,
    diagnosis,
    media: e.media ?? null,
    bytes: e.body.byteLength,
  };
}

/**
 * Starts the kit's side of the link: the endpoint on the kit's store (its identity keys, outbox
 * and delivery states), the connection loop to the hub, and direct paths to the specialists it
 * has items for (their items go direct while the path works, through the hub otherwise; either
 * carrier resumes from what the receiver holds). Delivery states, received items and the
 * connections' states are logged at their milestones and announced as events.
 */
export async function startKitLink(options: KitLinkOptions): Promise<KitLink> {
  const { log } = options;
  let hubStatus: HubLinkStatus = { state: 'stopped' };
  const holder: { endpoint?: LinkEndpoint; direct?: DirectPaths } = {};
  const status = (): WireLinkStatus => {
    const ep = holder.endpoint!;
    const names = new Map((ep.pin.current?.fields.identities ?? []).map((i) => [i.id, i.name]));
    return {
      hub: hubStatus.state,
      reason: 'reason' in hubStatus ? hubStatus.reason : null,
      since: hubStatus.state === 'up' ? hubStatus.since : null,
      directorySerial: ep.pin.current?.serial ?? null,
      directoryRefusals: ep.pin.refused,
      identity: ep.identityId ?? null,
      pending: ep.outbox
        .records()
        .filter((r) => r.state === 'stored' || r.state === 'queued' || r.state === 'sending').length,
      refused: ep.counters.snapshot(),
      direct: [...(holder.direct?.links ?? new Map<string, DirectLink>())].map(([peer, l]) => {
        const d = l.status;
        return {
          peer,
          name: names.get(peer) ?? null,
          state: d.state,
          since: d.state === 'up' ? d.since : null,
          reason: d.state === 'down' ? d.reason : null,
        };
      }),
    };
  };
  const onEvent = (e: LinkEvent): void => {
    if (e.type === 'state') {
      if (e.record.kind === 'receipt') return;
      if (e.record.state !== 'sending')
        log.info(
          {
            item: e.record.outboxId,
            kind: e.record.kind,
            to: e.record.to,
            state: e.record.state,
            waiting: e.record.waiting,
            refusal: e.record.refusal?.code,
          },
          'link: item state',
        );
      options.onEvent({ type: 'link-state', delivery: toWireDelivery(e.record) });
    } else if (e.type === 'received') {
      const item = toWireInboxItem(e.entry);
      (item.verified ? log.info.bind(log) : log.warn.bind(log))(
        {
          kind: item.kind,
          from: item.from,
          verified: item.verified,
          reasons: item.reasons.length ? item.reasons : undefined,
        },
        'link: received',
      );
      options.onEvent({ type: 'link-received', item });
    }
  };
  const endpoint = new LinkEndpoint({
    store: options.store,
    identity: storeIdentity(options.store),
    orgKey: options.orgKey,
    onEvent,
    log: (message, detail) => log.warn(detail, `link: ${message}`),
    ...(options.liveness ? { liveness: options.liveness } : {}),
    ...(options.pacing ? { pacing: options.pacing } : {}),
  });
  holder.endpoint = endpoint;
  await endpoint.start(options.directory);
  const carrier = new HubSocketCarrier({
    url: options.hub.url,
    certPem: options.hub.certPem,
    signer: storeIdentity(options.store).signer,
  });
  const hubLink = new HubLink(endpoint, carrier, {
    onStatus: (s) => {
      const was = hubStatus.state;
      hubStatus = s;
      if (s.state === 'up') log.info({ hub: options.hub.url }, 'link: connected to the hub');
      else if (s.state === 'refused') log.error({ hub: options.hub.url }, s.reason);
      else if (s.state === 'down' && was !== 'down')
        log.warn({ reason: s.reason }, 'link: hub unreachable; items wait in the outbox');
      options.onEvent({ type: 'link-status', status: status() });
    },
  });
  hubLink.start();
  const direct =
    options.direct === false
      ? undefined
      : new DirectPaths(endpoint, carrier, {
          ...options.direct,
          hub: options.hub,
          onStatus: (peer, s) => {
            if (s.state === 'up') log.info({ peer }, 'link: direct path to the console is up');
            else if (s.state === 'down' && !s.reason.startsWith('unreachable'))
              log.warn({ peer, reason: s.reason }, 'link: direct path lost; items go through the hub');
            options.onEvent({ type: 'link-status', status: status() });
          },
        });
  holder.direct = direct;
  direct?.start();
  const ep = endpoint;
  return {
    endpoint: ep,
    hubLink,
    direct,
    send: (input) => ep.send(input),
    async consult(input) {
      const records: SentRecord[] = [];
      for (const id of input.observationIds) {
        const record = await options.store.getObservation(id);
        records.push({ id, kind: 'observation', cbor: encodeWire(toWireObservation(record)) });
      }
      const body: ConsultationBody = {
        urgency: input.urgency,
        question: input.question,
        ...(input.patient ? { patient: input.patient } : {}),
        records,
        attachments: [],
      };
      const sent = await ep.send({
        kind: 'consultation',
        to: input.to,
        urgent: input.urgency === 'urgent',
        body: encodeWire(body),
        media: 'application/cbor',
        records: records.map((r) => ({
          id: r.id,
          sha256: createHash('sha256').update(r.cbor).digest('hex'),
        })),
      });
      return toWireDelivery(sent);
    },
    specialists: () =>
      (ep.pin.current?.fields.identities ?? [])
        .filter((i) => i.role === 'specialist')
        .map((i) => ({ id: i.id, name: i.name })),
    items: () => ep.outbox.records().map(toWireDelivery),
    inbox: async () => (await ep.inbox.entries()).map(toWireInboxItem),
    status,
    async stop() {
      await direct?.stop();
      await hubLink.stop();
      await ep.stop();
    },
  };
}
