import { afterEach, describe, expect, it } from 'vitest';
import { toHex } from '../crypto/bytes.ts';
import { encodeWire } from '../crypto/wire-cbor.ts';
import type { WsConnection } from '../runtime/link/carriers/hub-socket/ws-connection.ts';
import type { HubLinkStatus } from '../runtime/link/hub-link.ts';
import { HubLink } from '../runtime/link/hub-link.ts';
import type { ProcessCounts } from './helpers/leak-probe.ts';
import { grownResources, processCounts } from './helpers/leak-probe.ts';
import type { LinkWorld } from './helpers/link-world.ts';
import { linkWorld } from './helpers/link-world.ts';

let world: LinkWorld | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

const CYCLES = 1000;
/** Cycles before the baseline is taken (TLS session caches, JIT, pools warm up). */
const WARMUP = 50;

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

// The kit's real HubLink and LinkEndpoint against the real hub over TLS on loopback, both in this
// process, so every handle either side keeps is counted. Reconnects are event-driven: the loop's
// backoff pause is skipped as soon as it starts (retryNow), and a cycle ends when the new session
// has heard the hub's HELLO.
describe('1,000 reconnects over the hub socket', () => {
  it('leave no handles, sockets, listeners, sessions or memory behind (counted)', async () => {
    world = await linkWorld({ startKit: false });
    const { kit, hub } = world;
    const waiters: ((s: HubLinkStatus) => void)[] = [];
    const link = new HubLink(kit.endpoint, world.carrierFor(kit.store), {
      onStatus: (s) => {
        if (s.state === 'down' || s.state === 'refused') queueMicrotask(() => link.retryNow());
        if (s.state === 'up') waiters.shift()?.(s);
      },
    });
    // Every session and connection object, held weakly: after GC only the live ones may remain.
    const refs: WeakRef<object>[] = [];
    /** Starts (or lets the loop reconnect) and resolves once the hub's first frame arrived. */
    const nextSession = async (): Promise<void> => {
      await new Promise<HubLinkStatus>((resolve) => waiters.push(resolve));
      const conn = link.session!.conn;
      refs.push(new WeakRef(link.session!), new WeakRef(conn));
      await new Promise<void>((resolve) => {
        const off = conn.onFrame(() => {
          off();
          resolve();
        });
      });
    };
    let up = nextSession();
    link.start();
    let baseline: ProcessCounts | undefined;
    let mid: ProcessCounts | undefined;
    const started = Date.now();
    let delivered = 0;
    try {
      for (let i = 0; i < CYCLES; i++) {
        await up;
        // Every 100th session carries an item to the hub, so the reconnects are working ones.
        if (i % 100 === 50) {
          const rec = await kit.endpoint.send({
            kind: 'message',
            to: 'spec-ivanova',
            body: encodeWire({ text: `цикл ${i}` }),
          });
          await kit.watched.untilState(rec.itemId, 'at_hub', 20_000);
          delivered++;
        }
        if (i === WARMUP) baseline = await processCounts();
        if (i === CYCLES / 2) mid = await processCounts();
        up = nextSession();
        // Most ends are clean closes; every tenth kills the socket without a close handshake.
        if (i % 10 === 9) (link.session!.conn as WsConnection).kill();
        else link.dropConnection(`cycle ${i}`);
      }
      await up;
    } finally {
      await link.stop();
    }
    const seconds = (Date.now() - started) / 1000;
    // The hub notices the kit's last close on its own time; wait for it rather than sleep.
    const deadline = Date.now() + 10_000;
    const kitDevice = toHex(kit.store.publicIdentity.signing);
    while (hub.hub.connected().includes(kitDevice) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    const end = await processCounts();
    const alive = refs.filter((r) => r.deref() !== undefined).length;
    const report = {
      cycles: CYCLES,
      seconds: Math.round(seconds),
      sessions: link.sessions,
      aliveAfterGc: alive,
      heap: [baseline!.heapUsed, mid!.heapUsed, end.heapUsed].map(mb),
      rss: [baseline!.rss, mid!.rss, end.rss].map(mb),
      fds: [baseline!.fds, mid!.fds, end.fds],
      resources: { baseline: baseline!.resources, end: end.resources },
    };
    console.log(`link-reconnects: ${JSON.stringify(report)}`);

    expect(link.sessions).toBe(CYCLES + 1);
    expect(delivered).toBe(CYCLES / 100);
    // Nothing the sessions held outlives them: the kit's sessions, the outbox's change listeners
    // (one per session's sender), the hub's session table.
    expect(kit.endpoint.liveSessions).toBe(0);
    // Of 1,001 sessions and their connections, none is still reachable once the link stopped.
    expect(alive).toBe(0);
    expect(kit.endpoint.outbox.listenerCount).toBe(0);
    expect(hub.hub.connected()).toEqual([toHex(world.spec.store.publicIdentity.signing)]);
    // Handles by type (sockets, TLS wraps, timers): none accumulated over 950 reconnects. The spec's
    // own link stays up throughout, so the end may differ from the baseline by a reconnect in flight.
    expect(grownResources(baseline!, end, 2)).toEqual({});
    expect(end.fds).toBeLessThanOrEqual(baseline!.fds + 4);
    // Memory after GC. The first half includes caches filling (TLS sessions, the test's own event
    // log); a leak per cycle would grow the second half as much as the first.
    expect(end.heapUsed - baseline!.heapUsed).toBeLessThan(4 * 1024 * 1024);
    expect(end.heapUsed - mid!.heapUsed).toBeLessThan(1.5 * 1024 * 1024);
    expect(end.rss - baseline!.rss).toBeLessThan(64 * 1024 * 1024);
  }, 240_000);
});
