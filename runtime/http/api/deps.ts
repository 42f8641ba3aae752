import type { RecordStore } from '../../../store/index.ts';
import type { KitEvent } from '../../events.ts';
import type { CallFromTablet } from '../../link/live/call-wire.ts';
import type { LiveBus } from '../../live-bus.ts';
import type { InstrumentControl } from './instrument-control.ts';
import type { WireAnswer, WireDelivery, WireOutboxItem } from './wire-types.ts';

/** The store methods the API uses (the real RecordStore satisfies it; nothing else is reached). */
export type ApiStore = Pick<
  RecordStore,
  | 'addPatient'
  | 'getPatient'
  | 'findPatientsByNamePrefix'
  | 'findPatientByDocument'
  | 'openVisit'
  | 'closeVisit'
  | 'getVisit'
  | 'visitsByPatient'
  | 'addVisitEntry'
  | 'visitEntries'
  | 'getObservation'
  | 'recentObservations'
  | 'putBlob'
  | 'readBlob'
  | 'getAttachment'
  | 'createConsultation'
  | 'getConsultation'
  | 'outboxItem'
  | 'peekOutbox'
>;

/**
 * Where outgoing items are, as the link to the specialists tracks them. Absent until the link
 * exists: then every item is "stored on the kit, waiting for the link".
 */
export interface DeliveryTracker {
  delivery(outboxId: string): WireDelivery | undefined;
  /** Items the link took off the store's outbox, with where they are now (newest first). */
  tracked(): WireOutboxItem[];
}

/** Specialists' messages and conclusions for a visit, verified on the kit (the link brings them). */
export type AnswerSource = (visitId: string) => Promise<readonly WireAnswer[]>;

/** What the API routes need; the composition root (runtime/kit.ts) wires the real ones. */
export interface ApiDeps {
  readonly store: ApiStore;
  readonly bus: LiveBus<KitEvent>;
  readonly instruments: InstrumentControl;
  readonly delivery?: DeliveryTracker;
  readonly answers?: AnswerSource;
  /** The specialists' calls the kit relays (absent without a direct link). */
  readonly calls?: { fromTablet(tablet: string, msg: CallFromTablet): void };
  readonly now?: () => Date;
}
