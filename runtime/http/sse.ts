import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { KitEvent } from '../events.ts';
import type { LiveBus } from '../live-bus.ts';
import { toWireObservation, type WireEvents } from './wire.ts';

/** Most events a slow tablet may have queued before its stream is closed (it reconnects and reloads). */
const MAX_QUEUED = 1000;

function toWire(
  e: KitEvent,
): { [K in keyof WireEvents]: { event: K; data: WireEvents[K] } }[keyof WireEvents] {
  switch (e.type) {
    case 'observations':
      return { event: 'observations', data: e.records.map(toWireObservation) };
    case 'preview':
      return {
        event: 'preview',
        data: { deviceId: e.deviceId, deviceName: e.deviceName, ...e.preview, at: e.at.toISOString() },
      };
    case 'instrument':
      return { event: 'instrument', data: e.status };
    case 'dropped':
      return {
        event: 'dropped',
        data: {
          deviceId: e.frame.deviceId,
          characteristic: e.frame.characteristic,
          error: e.frame.error.message,
          at: e.frame.receivedAt.toISOString(),
        },
      };
    case 'store-error':
      return {
        event: 'store-error',
        data: {
          message: e.message,
          code: e.code,
          notStored: e.notStored,
          notStoredTotal: e.notStoredTotal,
          at: e.at.toISOString(),
        },
      };
    case 'storage':
      return { event: 'storage', data: e.status };
    case 'visit':
      return { event: 'visit', data: e.change };
    case 'waveform':
      return { event: 'waveform', data: { ...e.waveform, startAt: e.waveform.startAt.toISOString() } };
    case 'pairing':
      return { event: 'pairing', data: e.session };
  }
}

/**
 * The live stream to a tablet: a hello with instrument states, then every kit event as it
 * happens, with a heartbeat so dead Wi-Fi links are noticed. A tablet that falls too far behind
 * is cut off rather than letting the kit's memory grow.
 */
export function liveEvents(
  c: Context,
  bus: LiveBus<KitEvent>,
  hello: () => WireEvents['hello'],
  heartbeatMs = 15_000,
): Response {
  return streamSSE(c, async (stream) => {
    const queue: Array<{ event: string; data: string }> = [];
    let wake: (() => void) | null = null;
    let overflow = false;
    const off = bus.subscribe((e) => {
      if (queue.length >= MAX_QUEUED) overflow = true;
      else {
        const w = toWire(e);
        queue.push({ event: w.event, data: JSON.stringify(w.data) });
      }
      wake?.();
    });
    stream.onAbort(() => {
      off();
      wake?.();
    });
    try {
      await stream.writeSSE({ event: 'hello', data: JSON.stringify(hello()) });
      while (!stream.aborted && !overflow) {
        const next = queue.shift();
        if (next === undefined) {
          const timedOut = await new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(true), heartbeatMs);
            wake = () => {
              clearTimeout(timer);
              resolve(false);
            };
          });
          wake = null;
          if (timedOut && !stream.aborted) await stream.write(': heartbeat\n\n');
          continue;
        }
        await stream.writeSSE(next);
      }
    } finally {
      off();
    }
  });
}
