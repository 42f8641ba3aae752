import type { CodecError } from '../codecs/errors.ts';
import type { ObservationDraft, ObserveContext } from '../observations/observation-draft.ts';
import type { DeviceId, DiscoveredDevice, GattConnection } from '../transport.ts';

/** A display-only value (cuff pressure while inflating, a settling thermometer): never stored. */
export interface LivePreview {
  readonly kind: string;
  readonly value: number | null;
  readonly unit: string;
}

/**
 * One decoded frame with everything the pipeline needs: the FHIR-ready drafts, and the
 * provenance (raw bytes, codec name and version, characteristic) stored beside them.
 */
export interface Reading {
  readonly deviceId: DeviceId;
  readonly deviceName: string;
  readonly profile: string;
  readonly characteristic: string;
  readonly codec: string;
  readonly codecVersion: string;
  readonly raw: Uint8Array;
  readonly receivedAt: Date;
  readonly observations: readonly ObservationDraft[];
  /** Set for display-only streams; such readings are never stored. */
  readonly preview: LivePreview | null;
  /** kit_now - device_now applied to the device's timestamp (0 when none was applied). */
  readonly clockOffsetMs: number;
  /**
   * The instant the device itself stated for the measurement (its wall clock read in the kit's
   * zone), uncorrected, as ISO 8601 with the kit's offset; absent when the frame has no time.
   */
  readonly deviceTime?: string;
  /** The instrument's record number (glucose, PLX storage): the dedupe key across downloads. */
  readonly sequenceNumber?: number;
  /** The instrument's serial number (Device Information), added by the instrument manager. */
  readonly serial?: string;
}

/** A frame the codec refused: counted and surfaced, never only logged. */
export interface DroppedFrame {
  readonly deviceId: DeviceId;
  readonly characteristic: string;
  readonly raw: Uint8Array;
  readonly error: CodecError;
  readonly receivedAt: Date;
}

/**
 * A run of waveform samples (ECG) in arrival order. Not an observation: the runtime records
 * strips from these (runtime/pipeline/ecg-strip.ts). Times are the kit's corrected times.
 */
export interface WaveformChunk {
  readonly deviceId: DeviceId;
  readonly deviceName: string;
  readonly profile: string;
  readonly kind: 'ecg';
  readonly unit: 'uV';
  readonly rateHz: number;
  readonly samples: Int32Array;
  /** Corrected time of the first sample, ns since 1970-01-01 UTC. */
  readonly firstSampleUnixNs: bigint;
  /** Samples missing before this chunk (a lost notification), judged by the device's timestamps. */
  readonly gapBefore: number;
  /** kit_time - device_time applied to the device's timestamps, ms. */
  readonly clockOffsetMs: number;
  /** What the device clock looked like: set to UTC, set to local time, at its power-on default, or wrong. */
  readonly deviceClock: 'utc' | 'local' | 'default' | 'wrong';
  readonly codec: string;
  readonly codecVersion: string;
  readonly raw: Uint8Array;
}

/** Where a driver delivers: the runtime's measurement pipeline implements it. */
export interface DriverSink {
  reading(reading: Reading): void;
  dropped(frame: DroppedFrame): void;
  /** Waveform samples (ECG); sinks that record no waveforms leave it out. */
  waveform?(chunk: WaveformChunk): void;
}

/** Clock facts a driver needs to stamp readings. */
export interface DriverContext {
  readonly utcOffsetMinutes: number;
  readonly now: () => Date;
  /**
   * The correction (kit_now - device_now, ms) for a reading the device stamped `deviceInstant`
   * (its wall clock read in the kit's zone), received at `receivedAt`. The instrument manager
   * supplies it from the clock it measured through Current Time; absent means no correction.
   */
  readonly clockOffsetFor?: (deviceInstant: Date, receivedAt: Date) => number;
}

/** What a stored-record download (RACP) reported. */
export interface DownloadSummary {
  /** How many records the instrument said match (null if it did not answer the count). */
  readonly announced: number | null;
  /** Record frames received during the transfer. */
  readonly received: number;
  /** Highest sequence number received, or null when none arrived. */
  readonly highestSequence: number | null;
  /** `no_records`: the instrument holds nothing newer than asked. */
  readonly outcome: 'success' | 'no_records';
}

/** Options of {@link DriverSession.download}. */
export interface DownloadOptions {
  /** Fetch only records with a sequence number above this one; null fetches every record. */
  readonly after: number | null;
  readonly signal?: AbortSignal;
  /** Called as records arrive: received so far and the count the instrument announced. */
  readonly onProgress?: (received: number, announced: number | null) => void;
  /** How long the transfer may stay silent before it is abandoned (default 30 s, as GLS allows). */
  readonly idleTimeoutMs?: number;
}

/** A running driver on one connection: what can be asked of it beyond its subscriptions. */
export interface DriverSession {
  /** Present for instruments with stored records behind a Record Access Control Point. */
  download?(options: DownloadOptions): Promise<DownloadSummary>;
}

/**
 * Knows one instrument profile. Depends on {@link GattConnection} only, so the same driver runs
 * on any transport: today the simulator, later BlueZ (node-ble) and noble.
 */
export interface InstrumentDriver {
  readonly profile: string;
  /** The primary service that identifies the profile in a scan (short UUID). */
  readonly service: string;
  /**
   * Characteristics whose frames carry record sequence numbers (glucose measurement and context):
   * an unreadable frame there is a record that must be asked for again.
   */
  readonly numbered?: readonly string[];
  matches(device: DiscoveredDevice): boolean;
  /** Subscribes to the instrument's streams; resolves once subscribed (with a session, if any). */
  start(
    conn: GattConnection,
    device: DiscoveredDevice,
    sink: DriverSink,
    ctx: DriverContext,
  ): Promise<DriverSession | void>;
}

/** Observe function shape shared by the mappers in ble-devices/observations. */
export type Observe<T> = (decoded: T, ctx: ObserveContext) => ObservationDraft[];
