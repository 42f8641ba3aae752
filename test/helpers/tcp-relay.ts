import { createServer, connect, type Server, type Socket } from 'node:net';

/** A TCP relay in front of a server, with a switch for radio-like outages. */
export interface TcpRelay {
  readonly port: number;
  /** Stops moving bytes both ways (held back, as on a dead radio path); nothing is closed. */
  cut(): void;
  /** Moves bytes again. */
  heal(): void;
  /** Destroys every relayed connection abruptly (the socket is killed). */
  killAll(): void;
  /**
   * Changes the rate each way from now on (undefined: unlimited), as a path that slows down.
   * Absent on relays whose rate is set elsewhere (the namespace link's shaper).
   */
  setRate?(bytesPerSecond: number | undefined): void;
  /** Connections currently relayed. */
  readonly open: number;
  /**
   * Bytes written from the target to the clients so far (what the path carried downstream).
   * Absent on relays that do not count (the namespace link's).
   */
  readonly bytesDown?: number;
  close(): Promise<void>;
}

/** Bytes a rate-limited relay writes at once. */
const SLICE = 4096;

/**
 * Relays loopback TCP to `targetPort`, optionally at a fixed rate each way. A cut pauses both directions, so TLS and WebSocket stay
 * intact but silent and only our heartbeats can notice; killAll() is a cut by killing the socket.
 * (The shaped, lossy version of a cut is the network-namespace link tests'.)
 */
export async function startTcpRelay(
  targetPort: number,
  options: { bytesPerSecond?: number } = {},
): Promise<TcpRelay> {
  let cut = false;
  let rate = options.bytesPerSecond;
  let bytesDown = 0;
  const pairs = new Set<[Socket, Socket]>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      // A token bucket per direction: bytes leave at `rate`, the rest waits (TCP pushes back).
      let freeAt = Date.now();
      const down = from === upstream;
      from.on('data', (d: Buffer) => {
        if (!rate) {
          if (down) bytesDown += d.byteLength;
          if (!to.write(d)) from.pause();
          return;
        }
        // In slices of at most 4 KiB, each at its time: a slow line delivers packets, not a
        // 64 KiB read as one burst a second later.
        const now = Date.now();
        from.pause();
        for (let at = 0; at < d.byteLength; at += SLICE) {
          const slice = d.subarray(at, at + SLICE);
          const last = at + SLICE >= d.byteLength;
          freeAt = Math.max(freeAt, now) + (slice.byteLength / rate) * 1000;
          setTimeout(() => {
            if (to.destroyed) return;
            if (down) bytesDown += slice.byteLength;
            to.write(slice);
            if (last && !cut) from.resume();
          }, freeAt - now);
        }
      });
      to.on('drain', () => {
        if (!cut) from.resume();
      });
      from.on('end', () => to.end());
      from.on('error', () => to.destroy());
      from.on('close', () => {
        to.destroy();
        pairs.delete(pair);
      });
    }
    if (cut) {
      client.pause();
      upstream.pause();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    cut() {
      cut = true;
      for (const [a, b] of pairs) {
        a.pause();
        b.pause();
      }
    },
    setRate(bytesPerSecond) {
      rate = bytesPerSecond;
    },
    heal() {
      cut = false;
      for (const [a, b] of pairs) {
        a.resume();
        b.resume();
      }
    },
    killAll() {
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
    },
    get open() {
      return pairs.size;
    },
    get bytesDown() {
      return bytesDown;
    },
    close() {
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
