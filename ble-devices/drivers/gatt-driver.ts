import type { Codec } from '../codecs/codec.ts';
import { CodecError } from '../codecs/errors.ts';
import { uuidKey } from '../codecs/uuid.ts';
import type { DiscoveredDevice, SubscribeMode } from '../transport.ts';
import type { DriverContext, DriverSink, InstrumentDriver, LivePreview, Observe } from './driver.ts';

/** One subscribed characteristic of a profile: how to subscribe, decode and map it. */
export interface GattStream<T> {
  readonly characteristic: string;
  readonly mode: SubscribeMode;
  readonly codec: Codec<T>;
  /** Maps a stored measurement to observation drafts. */
  readonly observe?: Observe<T>;
  /** Maps a display-only frame (intermediate values) to a preview; such frames are never stored. */
  readonly preview?: (decoded: T) => LivePreview;
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
    async start(conn, device, sink: DriverSink, ctx: DriverContext) {
      for (const s of profile.streams as unknown as ReadonlyArray<GattStream<unknown>>) {
        const characteristic = uuidKey(s.characteristic);
        const onValue = (raw: Uint8Array): void => {
          const receivedAt = ctx.now();
          try {
            const decoded = s.codec.decode(raw);
            const observations = s.observe
              ? s.observe(decoded, {
                  receivedAt,
                  utcOffsetMinutes: ctx.utcOffsetMinutes,
                  deviceClockOffsetMs: 0,
                })
              : [];
            sink.reading({
              deviceId: device.id,
              deviceName: device.name,
              profile: profile.profile,
              characteristic,
              codec: s.codec.name,
              codecVersion: s.codec.version,
              raw,
              receivedAt,
              observations,
              preview: s.preview ? s.preview(decoded) : null,
              clockOffsetMs: 0,
            });
          } catch (err) {
            if (!(err instanceof CodecError)) throw err;
            sink.dropped({ deviceId: device.id, characteristic, raw, error: err, receivedAt });
          }
        };
        try {
          await conn.subscribe(service, characteristic, s.mode, onValue);
        } catch (err) {
          if (!s.optional) throw err;
        }
      }
    },
  };
}
