import type { DriverSession } from '../../ble-devices/drivers/driver.ts';
import type { Logger } from '../log.ts';
import type { InstrumentStatus } from './instrument-status.ts';
import type { ReadingGate } from './reading-gate.ts';

/** Transfers per connection before the link gives up and lets a reconnection try again. */
const ATTEMPTS = 3;

/** What {@link downloadNewRecords} needs from its instrument's link. */
export interface DownloadDeps {
  readonly gate: ReadingGate;
  readonly log: Logger;
  readonly address: string;
  readonly idleTimeoutMs: number;
  readonly signal: AbortSignal;
  /** Shows progress (or null when done) in the instrument's status. */
  readonly progress: (download: InstrumentStatus['download']) => void;
}

/**
 * Downloads the stored records newer than the last one stored (RACP), showing progress, and asks
 * again (within the connection, three transfers at most) while a record arrived unreadable or
 * failed to store; after that the link's next connection asks again from the watermark. Each
 * transfer starts only once the previous records are committed, so it asks after them.
 */
export async function downloadNewRecords(session: DriverSession, deps: DownloadDeps): Promise<void> {
  const download = session.download!.bind(session);
  const { gate, log, address } = deps;
  const { deduper } = gate;
  try {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      await gate.settled();
      let shown = 0;
      deduper.releaseHold();
      deps.progress({ received: 0, announced: null });
      const summary = await download({
        after: deduper.lastSequence,
        signal: deps.signal,
        idleTimeoutMs: deps.idleTimeoutMs,
        onProgress: (received, announced) => {
          // Every tenth record and the last: enough for a progress bar, not a flood of events.
          if (received - shown >= 10 || received === announced) {
            shown = received;
            deps.progress({ received, announced });
          }
        },
      });
      await gate.settled();
      log.info({ device: address, ...summary }, 'stored records downloaded');
      if (!deduper.held) return;
      log.warn({ device: address }, 'some records unreadable or not stored: asking again');
    }
    throw new Error(`stored records still unreadable after ${ATTEMPTS} transfers`);
  } finally {
    deps.progress(null);
    await gate.settled();
  }
}
