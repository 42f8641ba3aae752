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
  readonly clockOffsetMs: number;
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
}

/**
 * Knows one instrument profile. Depends on {@link GattConnection} only, so the same driver runs
 * on any transport: today the simulator, later BlueZ (node-ble) and noble.
 */
export interface InstrumentDriver {
  readonly profile: string;
  /** The primary service that identifies the profile in a scan (short UUID). */
  readonly service: string;
  matches(device: DiscoveredDevice): boolean;
  /** Subscribes to the instrument's streams; resolves once subscribed. */
  start(conn: GattConnection, device: DiscoveredDevice, sink: DriverSink, ctx: DriverContext): Promise<void>;
}

/** Observe function shape shared by the mappers in ble-devices/observations. */
export type Observe<T> = (decoded: T, ctx: ObserveContext) => ObservationDraft[];
