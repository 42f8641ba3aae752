import type { ObservationRecord, ObservationValue } from '../../store/schema/observation.ts';
import type { WireDelivery, WireInboxItem, WireLinkStatus } from '../link/wire-link.ts';
import type { WireCall } from '../link/live/call-wire.ts';
import type { WireConsultationChange, WireVisitChange } from './api/wire-types.ts';
import type { StorageStatus } from '../storage-status.ts';

/**
 * What crosses HTTP to the tablet. The PWA imports these types only (type-only imports), so the
 * browser bundle never pulls server code, and raw instrument bytes never leave the kit by default.
 */
export interface WireValue {
  readonly value: number | null;
  readonly unit: string | null;
  readonly precision: number;
  readonly absentReason: string | null;
}

/** One coded component (systolic, diastolic, mean). */
export interface WireComponent extends WireValue {
  readonly loinc: string;
  readonly display: string;
}

/** An observation as the tablet shows it. Everything of this type is already committed. */
export interface WireObservation extends WireValue {
  readonly id: string;
  readonly loinc: string;
  readonly display: string;
  readonly mdc: number | null;
  readonly components: readonly WireComponent[];
  readonly status: string;
  readonly effectiveAt: string;
  readonly recordedAt: string;
  readonly deviceId: string;
  readonly deviceName: string | null;
  readonly visitId: string | null;
}

/**
 * Headers of a list answer (`GET /api/observations`) that met records it could not read: the
 * body still holds every readable record; `fieldkit-damaged-count` says how many were skipped and
 * `fieldkit-damaged-ids` names the first 50 (comma-separated), so the tablet can warn. Absent
 * when nothing was damaged.
 */
export type WireDamageHeader = 'fieldkit-damaged-count' | 'fieldkit-damaged-ids';

/** Instrument status as the tablet shows it. */
export interface WireInstrument {
  readonly id: string;
  readonly name: string;
  readonly profile: string;
  readonly state: 'connecting' | 'connected' | 'disconnected';
  readonly readings: number;
  readonly dropped: number;
  /** Links re-established after a loss since the kit started. */
  readonly reconnects: number;
  /** Readings sent again (reconnect, memory resent) that were not stored twice. */
  readonly duplicates: number;
  readonly lastReadingAt: string | null;
  readonly lastError: string | null;
  readonly model: string | null;
  readonly serial: string | null;
  readonly firmware: string | null;
  readonly bonded: boolean;
  /** Percent, as last read. */
  readonly battery: number | null;
  /** kit minus device clock at the last check, ms; `clockSet` when the kit corrected it. */
  readonly clockOffsetMs: number | null;
  readonly clockSet: boolean;
  /** A stored-record download in progress (received of announced). */
  readonly download: { readonly received: number; readonly announced: number | null } | null;
  readonly lastSeenAt: string | null;
}

/** An unknown device a scan found (`GET /api/instruments/discovered`, `POST /api/instruments/scan`). */
export interface WireDiscoveredInstrument {
  readonly id: string;
  readonly name: string;
  readonly services: readonly string[];
  readonly rssi: number | null;
  /** The transport that found it (`node-ble`, `serial`, `sim`...). */
  readonly transport: string;
  /** The driver profile that would handle it; null: the kit has no driver for it. */
  readonly profile: string | null;
  readonly lastSeenAt: string;
}

/**
 * Events of the live channel (`GET /api/live`, server-sent events read through fetch with the
 * bearer token), by SSE event name. Durable events carry an id; send the last one back as
 * `Last-Event-ID` when reconnecting to get what was missed.
 */
export interface WireEvents {
  /** First event of every connection; `resumed` is true when the `Last-Event-ID` was honoured. */
  readonly hello: {
    readonly version: string;
    readonly instruments: readonly WireInstrument[];
    readonly storage: WireStorage;
    readonly resumed: boolean;
  };
  /** What was missed is gone (kit restarted, or away too long): reload state from the API. */
  readonly reset: { readonly reason: 'restarted' | 'too_old' | 'invalid' };
  /** The tablet was revoked while connected; the stream ends. */
  readonly unauthorized: Record<string, never>;
  readonly observations: readonly WireObservation[];
  readonly preview: {
    readonly deviceId: string;
    readonly deviceName: string;
    readonly kind: string;
    readonly value: number | null;
    readonly unit: string;
    readonly at: string;
  };
  readonly instrument: WireInstrument;
  readonly dropped: {
    readonly deviceId: string;
    readonly characteristic: string;
    readonly error: string;
    readonly at: string;
  };
  /** A write failed: `notStored` observations of this write are lost, `notStoredTotal` since the kit started. */
  readonly 'store-error': {
    readonly message: string;
    readonly code: string;
    readonly notStored: number;
    readonly notStoredTotal: number;
    readonly at: string;
  };
  /** The store's writability or the disk's low-space state changed. */
  readonly storage: WireStorage;
  /** An item sent to a specialist changed delivery state (stored .. answered, or refused). */
  readonly 'link-state': WireDelivery;
  /** A message, conclusion or attachment arrived (verified or not, with reasons). */
  readonly 'link-received': WireInboxItem;
  /** The connection to the hub or the pinned directory changed. */
  readonly 'link-status': WireLinkStatus;
  readonly visit: WireVisitChange;
  /** A consultation sent from a tablet changed delivery state, or a specialist answered it. */
  readonly consultation: WireConsultationChange;
  readonly waveform: {
    readonly deviceId: string;
    readonly kind: 'ecg' | 'pleth';
    readonly rateHz: number;
    readonly unit: 'uV' | 'arb';
    readonly startAt: string;
    readonly samples: readonly number[];
  };
  /** A pairing session changed: the question to answer (or passkey to type), or the outcome. */
  readonly pairing: WirePairingSession;
  /** A specialist's call: ringing (with the console's offer), candidates, taken, ended. */
  readonly call: WireCall;
}

/** A pairing session as the tablet shows it (runtime/instruments/pairing.ts). */
export interface WirePairingSession {
  readonly id: string;
  readonly deviceId: string;
  readonly deviceName: string;
  readonly state: 'pairing' | 'waiting-for-answer' | 'showing-passkey' | 'bonded' | 'failed' | 'cancelled';
  readonly prompt:
    | { readonly kind: 'enter-passkey' }
    | { readonly kind: 'confirm-passkey'; readonly passkey: number }
    | { readonly kind: 'display-passkey'; readonly passkey: number }
    | { readonly kind: 'authorize' }
    | null;
  readonly error: string | null;
  readonly startedAt: string;
  readonly endedAt: string | null;
}

/** Whether readings are being stored and how much disk is left (already plain JSON). */
export type WireStorage = StorageStatus;

function wireValue(v: ObservationValue | null): WireValue {
  if (v === null) return { value: null, unit: null, precision: 0, absentReason: null };
  if (v.kind === 'absent') return { value: null, unit: null, precision: 0, absentReason: v.reason };
  return { value: v.value, unit: v.unit, precision: v.precision, absentReason: null };
}

/** Maps a stored record to its wire form. */
export function toWireObservation(r: ObservationRecord): WireObservation {
  return {
    id: r.id,
    loinc: r.code.loinc,
    display: r.code.display,
    mdc: r.code.mdc ?? null,
    ...wireValue(r.value),
    components: r.components.map((c) => ({
      loinc: c.code.loinc,
      display: c.code.display,
      ...wireValue(c.value),
    })),
    status: r.status,
    effectiveAt: r.effectiveAt,
    recordedAt: r.recordedAt,
    deviceId: r.provenance.deviceId,
    deviceName: r.provenance.deviceName ?? null,
    visitId: r.visitId,
  };
}
