import { glucoseContext } from '../codecs/glucose-context.ts';
import { glucoseMeasurement, type GlucoseMeasurement } from '../codecs/glucose.ts';
import { observeGlucose, observeGlucoseContext } from '../observations/glucose.ts';
import { uuidKey } from '../codecs/uuid.ts';
import type { DiscoveredDevice } from '../transport.ts';
import type { DownloadOptions, DownloadSummary, InstrumentDriver } from './driver.ts';
import { stream, subscribeStreams, type GattProfile } from './gatt-driver.ts';
import { RacpClient, type RacpSelection } from './racp-client.ts';

const SERVICE = '1808';

const PROFILE: GattProfile = {
  profile: 'glucose',
  service: SERVICE,
  streams: [
    stream({
      characteristic: '2a18',
      mode: 'notify',
      codec: glucoseMeasurement,
      observe: observeGlucose,
      timestamp: (m) => ({ dateTime: m.baseTime, extraMinutes: m.timeOffsetMinutes ?? 0 }),
      sequence: (m) => m.sequenceNumber,
    }),
    stream({
      characteristic: '2a34',
      mode: 'notify',
      codec: glucoseContext,
      observe: observeGlucoseContext,
      sequence: (m) => m.sequenceNumber,
      optional: true,
    }),
  ],
};

/** Records newer than `after`; everything when nothing was seen (or the 16-bit counter is spent). */
function selection(after: number | null): RacpSelection {
  return after === null || after >= 0xffff ? { all: true } : { from: after + 1 };
}

/**
 * Glucose (0x1808) driver: measurement (0x2A18) and context (0x2A34) notifications, then the
 * Record Access Control Point (0x2A52) indications, one GATT operation at a time in that order
 * (DEVICES.md 5.4). Its session downloads stored records newer than a sequence number: the count
 * first (for progress), then the report, ended only by the meter's final response.
 */
export const glucoseDriver: InstrumentDriver = {
  profile: 'glucose',
  service: SERVICE,
  numbered: ['2a18', '2a34'],
  matches: (device: DiscoveredDevice) => device.services.some((s) => uuidKey(s) === SERVICE),
  async start(conn, device, sink, ctx) {
    let received = 0;
    let highest: number | null = null;
    let progress: (() => void) | null = null;
    await subscribeStreams(conn, device, PROFILE, sink, ctx, (characteristic, decoded) => {
      if (characteristic !== '2a18') return;
      const seq = (decoded as GlucoseMeasurement).sequenceNumber;
      received++;
      highest = highest === null ? seq : Math.max(highest, seq);
      progress?.();
    });
    const racp = await RacpClient.open(conn, {
      service: SERVICE,
      onGarbage: (raw, error) =>
        sink.dropped({ deviceId: device.id, characteristic: '2a52', raw, error, receivedAt: ctx.now() }),
    });
    return {
      async download(options: DownloadOptions): Promise<DownloadSummary> {
        const sel = selection(options.after);
        const announced = await racp.count(sel, options.signal, options.idleTimeoutMs);
        if (announced === 0) return { announced, received: 0, highestSequence: null, outcome: 'no_records' };
        received = 0;
        highest = null;
        progress = () => {
          racp.activity();
          options.onProgress?.(received, announced);
        };
        try {
          const outcome = await racp.report(sel, options.signal, options.idleTimeoutMs);
          return { announced, received, highestSequence: highest, outcome };
        } finally {
          progress = null;
        }
      },
    };
  },
};
