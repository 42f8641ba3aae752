import { execFileSync } from 'node:child_process';
import { encodeWire } from '../crypto/wire-cbor.ts';
import type { DeliveryRecord } from '../runtime/link/delivery.ts';
import { rank } from '../runtime/link/delivery.ts';
import type { LinkEvent } from '../runtime/link/endpoint.ts';
import { createBridges } from '../sim/net/bridge.ts';
import { createNetLink } from '../sim/net/net-link.ts';
import type { NetLink } from '../sim/net/net-link.ts';
import { netSimUnavailable } from '../sim/net/shell.ts';
import { linkWorld } from '../test/helpers/link-world.ts';
import type { LinkWorld } from '../test/helpers/link-world.ts';
import { netnsRelay } from '../test/helpers/netns-relay.ts';
import type { BacklogItem as Item } from './link/backlog.ts';
import { backlog, payloadOf } from './link/backlog.ts';
import { directRun } from './link/direct-run.ts';
import { pouchReplicate } from './link/pouchdb-peer.ts';

/**
 * Issue 11's link benchmark, in two network namespaces joined by a veth pair: tbf at 256 kbit/s
 * each way, 1% random loss each way on the receiving side (iptables statistic), NO added delay
 * (this kernel has no netem; the link's own queueing is the only delay). TCP across the link uses
 * cubic, Debian's default and so the kit's and the hub's (this host defaults to bbr, which on this
 * shallow shaped queue with random loss retransmits about 8% of what it sends). Our side: the
 * kit's endpoint over the hub carrier (WebSocket over TLS) to the hub's mailbox; the peer: PouchDB
 * replicating the same documents and attachments to express-pouchdb over the same link, in the
 * same run. Then the same backlog over the direct carrier (WebRTC data channel) on the same link,
 * its kit and console as processes inside the two namespaces (bench/link/direct-run.ts):
 * direct_vs_hub_goodput is direct_goodput_ratio / goodput_ratio, both reported.
 */
const RATE_KBIT = 256;
const LINE_BYTES_PER_S = (RATE_KBIT * 1000) / 8;

async function queue(world: LinkWorld, items: readonly Item[]): Promise<DeliveryRecord[]> {
  const out: DeliveryRecord[] = [];
  for (const it of items)
    out.push(
      await world.kit.endpoint.send({
        kind: it.kind as Parameters<LinkWorld['kit']['endpoint']['send']>[0]['kind'],
        to: 'spec-ivanova',
        body: it.body,
        ...(it.media ? { media: it.media } : {}),
        ...(it.urgent ? { urgent: true } : {}),
      }),
    );
  await world.kit.endpoint.outbox.sealed();
  return out;
}

/** Times (ms since `t0`) at which each record reached the hub. */
function atHubTimes(world: LinkWorld, t0: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of world.kit.watched.events)
    if (e.type === 'state' && rank(e.record.state) >= rank('at_hub') && !out.has(e.record.itemId))
      out.set(e.record.itemId, Date.parse(e.record.history.at(-1)?.at ?? new Date().toISOString()) - t0);
  return out;
}

async function allAtHub(world: LinkWorld, recs: readonly DeliveryRecord[], ms: number): Promise<void> {
  for (const r of recs) await world.kit.watched.untilState(r.itemId, 'at_hub', ms);
}

/** The kit side's TCP counters (its namespace's /proc/net/snmp and netstat): data segments sent, retransmissions. */
function tcpCounters(link: NetLink): { retrans: number; dataSegs: number } {
  const read = (file: string, prefix: string): Record<string, number> => {
    const { cmd, args } = link.execArgs('b', 'cat', [file]);
    const [head, values] = execFileSync(cmd, args)
      .toString()
      .split('\n')
      .filter((l) => l.startsWith(prefix));
    const keys = head?.split(/\s+/) ?? [];
    const vals = values?.split(/\s+/) ?? [];
    return Object.fromEntries(keys.map((k, i) => [k, Number(vals[i])]));
  };
  const snmp = read('/proc/net/snmp', 'Tcp:');
  const ext = read('/proc/net/netstat', 'TcpExt:');
  return {
    retrans: snmp.RetransSegs ?? NaN,
    dataSegs: ext.TCPOrigDataSent ?? NaN,
  };
}

const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};

export default async function run(opts: { quick: boolean }): Promise<Record<string, number>> {
  const why = await netSimUnavailable();
  if (why) throw new Error(`the link bench needs network namespaces: ${why}`);
  const visits = opts.quick ? 2 : 6;
  const cutsWanted = opts.quick ? 3 : 10;
  const shaping = { rateKbit: RATE_KBIT, loss: 0.01 };
  const link: NetLink = await createNetLink({ aToB: shaping, bToA: shaping, congestion: 'cubic' });
  const metrics: Record<string, number> = { rate_kbit: RATE_KBIT, loss_each_way: 0.01, delay_added_ms: 0 };
  try {
    // 1. Cold start, whole backlog queued, no cuts: goodput and the 60 s window.
    const items = backlog(visits);
    const payload = payloadOf(items);
    metrics.backlog_bytes = payload;
    let world = await linkWorld({ kitRelay: (port) => netnsRelay(link, port), startKit: false });
    try {
      const recs = await queue(world, items);
      const wire0 = await link.counters('b');
      const tcp0 = tcpCounters(link);
      const t0 = Date.now();
      world.kit.link.start();
      await allAtHub(world, recs, 30 * 60_000);
      const wire1 = await link.counters('b');
      const tcp1 = tcpCounters(link);
      const times = atHubTimes(world, t0);
      const total = Math.max(...times.values());
      metrics.our_time_ms = total;
      metrics.goodput_ratio = +(payload / (LINE_BYTES_PER_S * (total / 1000))).toFixed(3);
      metrics.window_60s_bytes = items.reduce(
        (n, it, i) => n + ((times.get(recs[i]!.itemId) ?? Infinity) <= 60_000 ? it.body.byteLength : 0),
        0,
      );
      metrics.wire_overhead_ratio = +(world.kit.endpoint.stats.bytesSent / payload).toFixed(3);
      // What the shaper put on the wire kit -> hub (headers, TLS, framing, TCP retransmissions).
      metrics.wire_bytes_ratio = +((wire1.bytes - wire0.bytes) / payload).toFixed(3);
      metrics.wire_overflow_drops = wire1.overflowDrops - wire0.overflowDrops;
      // Where the wire bytes went, kit -> hub: packets (66 B of headers each), TCP data segments,
      // retransmitted segments (random loss and the shaper's overflow), and the rest: packets
      // without new data, mostly pure ACKs of the hub's frames (ACK, PONG, STORED).
      metrics.wire_packets = wire1.packets - wire0.packets;
      metrics.wire_data_segments = tcp1.dataSegs - tcp0.dataSegs;
      metrics.wire_retransmitted_segments = tcp1.retrans - tcp0.retrans;
      metrics.wire_ack_only_packets =
        metrics.wire_packets - metrics.wire_data_segments - metrics.wire_retransmitted_segments;
      metrics.line_busy_ratio = +((wire1.bytes - wire0.bytes) / (LINE_BYTES_PER_S * (total / 1000))).toFixed(
        3,
      );

      // 2. Urgent latency: an urgent message queued while bulk is in flight, ten times.
      const bulk = await queue(
        world,
        backlog(1).filter((i) => i.kind === 'photo'),
      );
      const latencies: number[] = [];
      for (let i = 0; i < 10; i++) {
        const queuedAt = Date.now();
        const [u] = await queue(world, [
          { id: `u${i}`, kind: 'message', urgent: true, body: encodeWire({ text: `Срочно ${i}` }) },
        ]);
        await world.kit.watched.untilState(u!.itemId, 'at_hub', 60_000);
        latencies.push(Date.now() - queuedAt);
        await new Promise((r) => setTimeout(r, 300));
      }
      metrics.urgent_latency_p50_ms = percentile(latencies, 50);
      metrics.urgent_latency_p99_ms = percentile(latencies, 99);
      await allAtHub(world, bulk, 10 * 60_000);
    } finally {
      await world.stop();
    }

    // 3. Cuts: a photo backlog crossing `cutsWanted` silent cuts of 5 s; resent bytes and resume time.
    world = await linkWorld({ kitRelay: (port) => netnsRelay(link, port), startKit: false });
    try {
      const photos = backlog(Math.ceil(cutsWanted / 2) + 1).filter((i) => i.kind === 'photo');
      const recs = await queue(world, photos);
      world.kit.link.start();
      const resumes: number[] = [];
      // Bytes sent again after each cut: the ledger's count between this cut and the next (the
      // kit's ledger of every block it put on a carrier: a block counts as resent whenever it goes
      // out a second time, whatever the reason). Manifests offered again are counted apart, and
      // so are the cuts the connection outlived (TCP retransmitted after the heal before either
      // heartbeat timed out: nothing to resend).
      const resentAtCut: number[] = [];
      const reofferedAtCut: number[] = [];
      const reconnected: boolean[] = [];
      // The chunk size when each cut came (it follows the measured rate): the target is per chunk.
      const chunkAtCut: number[] = [];
      let cuts = 0;
      for (; cuts < cutsWanted; cuts++) {
        await new Promise((r) => setTimeout(r, 4000));
        if (
          recs.every(
            (r) =>
              world.kit.endpoint.outbox.byItemId(r.itemId)?.state !== 'sending' &&
              rank(world.kit.endpoint.outbox.byItemId(r.itemId)?.state ?? 'stored') >= rank('at_hub'),
          )
        )
          break;
        const before = world.kit.endpoint.stats;
        resentAtCut.push(before.bytesResent);
        reofferedAtCut.push(before.bytesReoffered);
        chunkAtCut.push(world.kit.link.session?.pacer.chunkBytes ?? NaN);
        await link.cut();
        await new Promise((r) => setTimeout(r, 5000));
        const marker = world.kit.watched.events.length;
        const ackedBefore = new Map<string, number>();
        for (const r of recs)
          ackedBefore.set(r.itemId, world.kit.endpoint.outbox.byItemId(r.itemId)?.bytesAcked ?? 0);
        const healedAt = Date.now();
        await link.heal();
        const progressed = await world.kit.watched.until(
          (e: LinkEvent): e is Extract<LinkEvent, { type: 'state' }> =>
            world.kit.watched.events.indexOf(e) >= marker &&
            e.type === 'state' &&
            e.record.bytesAcked > (ackedBefore.get(e.record.itemId) ?? 0),
          60_000,
        );
        void progressed;
        resumes.push(Date.now() - healedAt);
        reconnected.push(world.kit.endpoint.stats.sessions > before.sessions);
      }
      await allAtHub(world, recs, 30 * 60_000);
      const sent = world.kit.endpoint.stats.bytesSent;
      const sealed = recs.reduce((n, r) => n + (world.kit.endpoint.outbox.get(r.outboxId)?.size ?? 0), 0);
      const perCut = resentAtCut.map(
        (r, i) => (resentAtCut[i + 1] ?? world.kit.endpoint.stats.bytesResent) - r,
      );
      const stats = world.kit.endpoint.stats;
      const reofferedPerCut = reofferedAtCut.map(
        (r, i) => (reofferedAtCut[i + 1] ?? stats.bytesReoffered) - r,
      );
      const perReconnect = perCut.filter((_, i) => reconnected[i]);
      metrics.cuts = cuts;
      metrics.cuts_reconnected = perReconnect.length;
      metrics.resent_bytes_per_cut = cuts ? percentile(perCut, 50) : 0;
      metrics.resent_chunks_per_cut = cuts
        ? percentile(
            perCut.map((r, i) => r / chunkAtCut[i]!),
            50,
          )
        : 0;
      metrics.resent_bytes_per_reconnect_p50 = perReconnect.length ? percentile(perReconnect, 50) : 0;
      metrics.reoffered_manifest_bytes_per_cut = cuts ? percentile(reofferedPerCut, 50) : 0;
      metrics.resent_bytes_per_cut_max = cuts ? Math.max(...perCut) : 0;
      metrics.resent_bytes_per_cut_mean = cuts ? Math.round(Math.max(0, sent - sealed) / cuts) : 0;
      metrics.chunk_bytes = world.kit.link.session?.pacer.chunkBytes ?? NaN;
      metrics.resume_after_cut_ms_p50 = percentile(resumes, 50);
    } finally {
      await world.stop();
    }

    // 4. PouchDB, the same backlog, the same link, this run.
    const bridges = createBridges(link);
    try {
      const pouch = await pouchReplicate(
        items,
        async (port) => `http://127.0.0.1:${await bridges.across(port, 'b')}`,
      );
      metrics.pouchdb_time_ms = pouch.ms;
      metrics.pouchdb_docs = pouch.docs;
      metrics.pouchdb_goodput_ratio = +(payload / (LINE_BYTES_PER_S * (pouch.ms / 1000))).toFixed(3);
      metrics.pouchdb_time_ratio = +(metrics.our_time_ms / pouch.ms).toFixed(3);
    } finally {
      await bridges.close();
    }
    // 5. The direct carrier, the same backlog's sizes, the same link, this run.
    const direct = await directRun(link, visits);
    metrics.direct_time_ms = direct.ms;
    metrics.direct_goodput_ratio = +(direct.payload / (LINE_BYTES_PER_S * (direct.ms / 1000))).toFixed(3);
    metrics.direct_vs_hub_goodput = +(metrics.direct_goodput_ratio / metrics.goodput_ratio).toFixed(3);
  } finally {
    await link.close();
  }
  return metrics;
}
