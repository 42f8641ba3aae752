import type { Codec } from '../codecs/codec.ts';
import { CMS50_SERIAL } from '../codecs/contec/cms50-link.ts';
import { contecLive5 } from '../codecs/contec/frame-5byte.ts';
import { contecLive9, LIVE9_TYPE } from '../codecs/contec/frame-9byte.ts';
import { contecPlayback9, PLAYBACK9_TYPE } from '../codecs/contec/playback-9byte.ts';
import { CodecError } from '../codecs/errors.ts';
import { observeContecLive5, observeContecLive9 } from '../observations/contec.ts';
import type { ObservationDraft, ObserveContext } from '../observations/observation-draft.ts';
import { uuidKey } from '../codecs/uuid.ts';
import type { DiscoveredDevice } from '../transport.ts';
import type { InstrumentDriver } from './driver.ts';

/** Options of the CMS50 driver. */
export interface ContecCms50DriverOptions {
  /**
   * The oximeter sends 60 frames a second but its SpO2 and pulse rate change once a second:
   * one reading (stored observations) per this many ms, the frames between are not stored.
   */
  readonly observeEveryMs?: number;
}

type Decoded = {
  codec: Codec<unknown>;
  observe: (value: unknown, ctx: ObserveContext) => ObservationDraft[];
};

/** Picks the codec by the frame's shape: the transport hands over whole, sync-checked frames. */
function codecFor(raw: Uint8Array): Decoded {
  if (raw.length === 5) {
    return { codec: contecLive5, observe: (v, c) => observeContecLive5(v as never, c) };
  }
  if (raw.length === 9 && raw[0] === LIVE9_TYPE) {
    return { codec: contecLive9, observe: (v, c) => observeContecLive9(v as never, c) };
  }
  if (raw.length === 9 && raw[0] === PLAYBACK9_TYPE) {
    // Stored 1-second samples carry no time; storing them needs a start time from the user.
    return { codec: contecPlayback9, observe: () => [] };
  }
  throw new CodecError(
    'invalid_value',
    'contec_cms50',
    'frame',
    0,
    `a ${raw.length}-byte frame is no CMS50 frame`,
  );
}

/**
 * Contec CMS50 pulse oximeter on the serial transport (either firmware generation): live frames
 * become SpO2 and pulse-rate observations at the collector's time (the stream has no device
 * clock), one reading per `observeEveryMs`; frames with finger out, searching or a probe error
 * give none. Frames the codecs refuse are counted through the sink.
 */
export function createContecCms50Driver(options: ContecCms50DriverOptions = {}): InstrumentDriver {
  const every = options.observeEveryMs ?? 1000;
  const service = uuidKey(CMS50_SERIAL.service);
  const characteristic = uuidKey(CMS50_SERIAL.frames);
  return {
    profile: 'contec-cms50',
    service,
    matches: (device: DiscoveredDevice) => device.services.some((s) => uuidKey(s) === service),
    async start(conn, device, sink, ctx) {
      let lastReadingAt = -Infinity;
      await conn.subscribe(service, characteristic, 'notify', (raw) => {
        const receivedAt = ctx.now();
        try {
          const { codec, observe } = codecFor(raw);
          const decoded = codec.decode(raw);
          if (receivedAt.getTime() - lastReadingAt < every) return;
          lastReadingAt = receivedAt.getTime();
          sink.reading({
            deviceId: device.id,
            deviceName: device.name,
            profile: 'contec-cms50',
            characteristic,
            codec: codec.name,
            codecVersion: codec.version,
            raw: raw.slice(),
            receivedAt,
            observations: observe(decoded, {
              receivedAt,
              utcOffsetMinutes: ctx.utcOffsetMinutes,
              deviceClockOffsetMs: 0,
            }),
            preview: null,
            clockOffsetMs: 0,
          });
        } catch (err) {
          if (!(err instanceof CodecError)) throw err;
          sink.dropped({ deviceId: device.id, characteristic, raw: raw.slice(), error: err, receivedAt });
        }
      });
    },
  };
}

/** The driver with its defaults, as the catalogue lists it. */
export const contecCms50Driver = createContecCms50Driver();
