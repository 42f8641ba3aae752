import type { CarrierConnection } from './carrier.ts';
import { decodeFrame, encodeFrame } from './frames.ts';

/** Heartbeat timing. */
export interface LivenessOptions {
  /**
   * Heartbeat period (default 2 s): a PING goes out on a tick when nothing was heard from the
   * peer for half of it. While frames flow (chunks one way, ACKs and probe PONGs the other) no
   * heartbeat is sent: each would be a WebSocket message, a TLS record and often a TCP segment and
   * its ACK of its own, on a 256 kbit/s link about 1% of the line per heartbeat each second.
   */
  readonly intervalMs?: number;
  /**
   * The connection is declared lost after this long without receiving anything (default 6 s):
   * no whole frame and, where the carrier reports it, no byte of a frame still arriving.
   */
  readonly timeoutMs?: number;
  /** Called with each PONG's round-trip time. */
  readonly onRtt?: (ms: number) => void;
}

/**
 * Our own heartbeats over any carrier: PING when no frame came from the peer for half of
 * `intervalMs` (checked every `intervalMs`), any received frame counts as a sign of life, and
 * silence for `timeoutMs` closes the connection as 'lost' even while the carrier still claims to
 * be open (as @roamhq/wrtc's data channel does after an outage). Bytes of a frame still arriving
 * ({@link CarrierConnection.lastProgressAt}) also count against the timeout, but not against the
 * PING: while a large frame crawls in, our PINGs keep the peer (whose own PINGs wait behind that
 * frame) hearing from us. Also
 * answers the peer's PINGs as they arrive (the sender's probes rely on that: a PONG says every
 * frame before its PING has arrived). Returns a stop function; stops by itself when the connection closes.
 */
export function watchLiveness(conn: CarrierConnection, options: LivenessOptions = {}): () => void {
  const interval = options.intervalMs ?? 2000;
  const timeout = options.timeoutMs ?? 6000;
  let lastHeard = Date.now();
  let seq = 0;
  const offFrame = conn.onFrame((bytes) => {
    lastHeard = Date.now();
    // PING/PONG are tiny: peek at the type byte before paying for a full decode.
    if (bytes.byteLength > 16 || bytes[0] !== 0x83 || (bytes[1] !== 0x01 && bytes[1] !== 0x02)) return;
    const decoded = decodeFrame(bytes);
    if (!decoded.ok) return;
    const f = decoded.frame;
    if (f.t === 'ping') conn.send(encodeFrame({ t: 'pong', seq: f.seq, sentAt: f.sentAt }));
    else if (f.t === 'pong') options.onRtt?.(Math.max(0, Date.now() - f.sentAt));
  });
  const ping = (): void => {
    seq = (seq + 1) >>> 0;
    conn.send(encodeFrame({ t: 'ping', seq, sentAt: Date.now() }));
  };
  const timer = setInterval(
    () => {
      const now = Date.now();
      const quiet = now - lastHeard;
      if (now - Math.max(lastHeard, conn.lastProgressAt?.() ?? 0) > timeout) {
        stop();
        conn.close(`no frame for ${timeout} ms (heartbeat timeout)`);
        return;
      }
      if (quiet >= interval / 2) ping();
    },
    Math.min(interval, timeout / 3),
  );
  // One at once, while the path is still empty: its round trip is the path's own (the pacer's floor).
  ping();
  timer.unref?.();
  const offClose = conn.onClose(() => stop());
  function stop(): void {
    clearInterval(timer);
    offFrame();
    offClose();
  }
  return stop;
}
