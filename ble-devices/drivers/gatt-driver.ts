import type { Codec } from '../codecs/codec.ts';
import { CodecError } from '../codecs/errors.ts';
import { uuidKey } from '../codecs/uuid.ts';
import {
  TransportError,
  type DiscoveredDevice,
  type GattConnection,
  type SubscribeMode,
} from '../transport.ts';
import { deviceInstant, isoWithOffset, type StampedTime } from './device-time.ts';
import type {
  DriverContext,
  DriverSession,
  DriverSink,
  InstrumentDriver,
  LivePreview,
  Observe,
} from './driver.ts';

/** One subscribed characteristic of a profile: how to subscribe, decode and map it. */
export interface GattStream<T> {
  readonly characteristic: string;
  /** The stream's service when it is not the profile's own (body composition beside a scale). */
  readonly service?: string;
  readonly mode: SubscribeMode;
  readonly codec: Codec<T>;
  /** Maps a stored measurement to observation drafts. */
  readonly observe?: Observe<T>;
  /** Maps a display-only frame (intermediate values) to a preview; such frames are never stored. */
  readonly preview?: (decoded: T) => LivePreview;
  /** The device's own timestamp in the frame, if any: corrected by the measured clock offset. */
  readonly timestamp?: (decoded: T) => StampedTime | null;
  /** The record's sequence number, for instruments that number their records. */
  readonly sequence?: (decoded: T) => number | null;
  readonly optional?: boolean;
}

/** A profile described as data: its service and streams. */
export interface GattProfile {
  readonly profile: string;
  readonly service: string;
  readonly streams: ReadonlyArray<GattStream<never>>;
}

/** Erases a stream's decoded type so profiles can list streams of different codecs. */
export function stream<T>(s: GattStream<T>): GattStream<never> {
  return s as unknown as GattStream<never>;
}

/** Called with every frame a stream decoded (before the sink), e.g. to count a RACP transfer. */
export type FrameHook = (characteristic: string, decoded: unknown) => void;

/** Decodes one frame of a stream into a reading for the sink, or a dropped frame. */
function deliver<T>(
  s: GattStream<T>,
  profile: string,
  characteristic: string,
  raw: Uint8Array,
  device: DiscoveredDevice,
  sink: DriverSink,
  ctx: DriverContext,
  onFrame: FrameHook | undefined,
): void {
  const receivedAt = ctx.now();
  let decoded: T;
  try {
    decoded = s.codec.decode(raw);
  } catch (err) {
    if (!(err instanceof CodecError)) throw err;
    sink.dropped({ deviceId: device.id, characteristic, raw, error: err, receivedAt });
    return;
  }
  const stamp = s.timestamp?.(decoded) ?? null;
  const stated = stamp ? deviceInstant(stamp, ctx.utcOffsetMinutes) : null;
  const offset = stated && ctx.clockOffsetFor ? ctx.clockOffsetFor(stated, receivedAt) : 0;
  const sequence = s.sequence?.(decoded) ?? null;
  const observations = s.observe
    ? s.observe(decoded, { receivedAt, utcOffsetMinutes: ctx.utcOffsetMinutes, deviceClockOffsetMs: offset })
    : [];
  onFrame?.(characteristic, decoded);
  sink.reading({
    deviceId: device.id,
    deviceName: device.name,
    profile,
    characteristic,
    codec: s.codec.name,
    codecVersion: s.codec.version,
    raw,
    receivedAt,
    observations,
    preview: s.preview ? s.preview(decoded) : null,
    clockOffsetMs: offset,
    ...(stated ? { deviceTime: isoWithOffset(stated, ctx.utcOffsetMinutes) } : {}),
    ...(sequence !== null ? { sequenceNumber: sequence } : {}),
  });
}

/**
 * Subscribes to each stream of a profile in the mode it demands, decoding every frame with its
 * codec (refused frames are counted through the sink, never thrown). Optional streams the
 * instrument lacks are skipped; a profile whose streams are all optional still needs one.
 */
export async function subscribeStreams(
  conn: GattConnection,
  device: DiscoveredDevice,
  profile: GattProfile,
  sink: DriverSink,
  ctx: DriverContext,
  onFrame?: FrameHook,
): Promise<void> {
  let subscribed = 0;
  for (const s of profile.streams as unknown as ReadonlyArray<GattStream<unknown>>) {
    const characteristic = uuidKey(s.characteristic);
    const service = uuidKey(s.service ?? profile.service);
    try {
      await conn.subscribe(service, characteristic, s.mode, (raw) =>
        deliver(s, profile.profile, characteristic, raw, device, sink, ctx, onFrame),
      );
      subscribed++;
    } catch (err) {
      const absent =
        err instanceof TransportError &&
        (err.code === 'no_such_characteristic' || err.code === 'not_permitted');
      if (!s.optional || !absent) throw err;
    }
  }
  if (subscribed === 0)
    throw new TransportError(
      'no_such_characteristic',
      `${device.id} offers none of the ${profile.profile} streams`,
    );
}

/**
 * Builds a driver from a profile description: subscribe to each stream in the mode the profile
 * demands, decode every frame with its codec, count refused frames, hand readings to the sink.
 */
export function defineGattDriver(profile: GattProfile): InstrumentDriver {
  const service = uuidKey(profile.service);
  return {
    profile: profile.profile,
    service,
    matches: (device: DiscoveredDevice) => device.services.some((s) => uuidKey(s) === service),
    async start(conn, device, sink, ctx): Promise<DriverSession> {
      await subscribeStreams(conn, device, profile, sink, ctx);
      return {};
    },
  };
}
