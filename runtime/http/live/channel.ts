import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { WireEvents } from '../wire.ts';
import type { EphemeralMessage, LiveJournal } from './journal.ts';

/** Live-only events a connection may hold while it is being written; older ones are dropped first. */
const MAX_EPHEMERAL = 64;
/** Events written to the socket together, up to about this many bytes per write. */
const BATCH_BYTES = 64 * 1024;

/** The frames as one write: the frame itself when it is alone (shared, not copied). */
function joined(frames: readonly Uint8Array[]): Uint8Array {
  return frames.length === 1 ? frames[0]! : Buffer.concat(frames);
}

/** What a live connection needs besides the journal. */
export interface LiveChannelOptions {
  /** The first event of every connection (instrument states and the like). */
  readonly hello: () => Omit<WireEvents['hello'], 'resumed'>;
  /** Re-checked every heartbeat interval: a revoked tablet's stream is closed within about one. */
  readonly stillAuthorized: () => boolean | Promise<boolean>;
  readonly heartbeatMs: number;
}

/**
 * The live channel: server-sent events read by the tablet through `fetch()` with its bearer
 * token in the Authorization header (EventSource cannot send one, and a token in the URL would
 * end up in logs). Durable events carry ids; a reconnect sends `Last-Event-ID` and gets what it
 * missed from the journal, or a `reset` event telling it to reload its state when that is gone.
 * A tablet too slow to keep up falls behind in the journal, not in the kit's memory.
 */
export function liveChannel(c: Context, journal: LiveJournal, options: LiveChannelOptions): Response {
  const resume = journal.resumeFrom(c.req.header('last-event-id'));
  c.header('Cache-Control', 'no-store');
  // Tells proxies (and nginx in front of a kit, if any) not to buffer the stream.
  c.header('X-Accel-Buffering', 'no');
  return streamSSE(c, async (stream) => {
    let wake: (() => void) | null = null;
    // Set when durable events arrive while this connection is writing, so it loops before waiting.
    let dirty: boolean;
    const ephemeral: EphemeralMessage[] = [];
    const off = journal.subscribe(
      () => {
        dirty = true;
        wake?.();
      },
      (m) => {
        if (ephemeral.length >= MAX_EPHEMERAL) ephemeral.shift();
        ephemeral.push(m);
        wake?.();
      },
    );
    stream.onAbort(() => {
      off();
      wake?.();
    });
    try {
      let cursor = resume.ok ? resume.seq : journal.head;
      const hello = { ...options.hello(), resumed: resume.ok && c.req.header('last-event-id') !== undefined };
      await stream.writeSSE({ event: 'hello', data: JSON.stringify(hello), id: journal.idOf(cursor) });
      if (!resume.ok)
        await stream.writeSSE({
          event: 'reset',
          data: JSON.stringify({ reason: resume.reason }),
          id: journal.idOf(cursor),
        });
      let checkedAt = Date.now();
      while (!stream.aborted && !journal.closed) {
        dirty = false;
        // Re-checked on a clock, not only when idle: a busy stream would otherwise never notice.
        if (Date.now() - checkedAt >= options.heartbeatMs) {
          checkedAt = Date.now();
          if (!(await options.stillAuthorized())) {
            await stream.writeSSE({ event: 'unauthorized', data: '{}' });
            break;
          }
        }
        const entries = journal.since(cursor);
        if (entries === undefined) {
          cursor = journal.head;
          await stream.writeSSE({
            event: 'reset',
            data: JSON.stringify({ reason: 'too_old' }),
            id: journal.idOf(cursor),
          });
        } else {
          // Everything that arrived since the last write goes out together: one write (one TLS
          // record, one packet) per wake-up, not one per event, for every connected tablet. The
          // frames were encoded once by the journal; each connection only writes them.
          let batch: Uint8Array[] = [];
          let bytes = 0;
          for (const e of entries) {
            if (stream.aborted) break;
            batch.push(e.frame);
            bytes += e.frame.byteLength;
            cursor = e.seq;
            if (bytes >= BATCH_BYTES) {
              await stream.write(joined(batch));
              batch = [];
              bytes = 0;
            }
          }
          while (ephemeral.length > 0) batch.push(ephemeral.shift()!.frame);
          if (batch.length > 0 && !stream.aborted) await stream.write(joined(batch));
        }
        while (ephemeral.length > 0 && !stream.aborted) await stream.write(ephemeral.shift()!.frame);
        if (dirty || stream.aborted || journal.closed) continue;
        const timedOut = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(true), options.heartbeatMs);
          wake = () => {
            clearTimeout(timer);
            resolve(false);
          };
        });
        wake = null;
        if (timedOut && !stream.aborted) await stream.write(': heartbeat\n\n');
      }
    } finally {
      off();
    }
  });
}
