import { loadavg } from 'node:os';
import { caseOpen } from './console/case-open.ts';
import { conclusionVerify } from './console/verify.ts';
import { queueRender } from './console/queue-render.ts';
import { consoleWorld } from '../test/console/linked-console.ts';

const percentile = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN;
};
const r1 = (x: number) => Math.round(x * 10) / 10;
const load = () => Math.round((loadavg()[0] ?? Number.NaN) * 100) / 100;

/**
 * `npm run bench -- console --json` (issue 12), real parts only:
 * - `queue_render_ms_p95`: 1,000 open consultations sent by a real kit through the real hub to
 *   the console in real Chromium; «← К очереди» clicked in a case to the queue's painted frame
 *   (target <= 100). Beside it, in the same page and run, the peer `plain_table_ms_p95` (the same
 *   number of rows as one plain HTML table) and their ratio; `queue_claim_ms_p95` («Взять» to the
 *   row painted as taken, hub round trip included); the idle queue's CPU per minute in the page
 *   and in the hub's process (polling).
 * - `conclusion_verify_ms_p99`: the kit's check of a conclusion referring to 200 records, against
 *   its real store (target <= 20); `conclusion_accept_ms_p99`: taking a new one (decrypt, verify,
 *   durable commit).
 * - `case_open_ms` at 256 kbit/s (tbf in network namespaces, as bench/link): the kit sends a case
 *   with a 30 s ECG strip and two photos; to the console showing it whole. Beside it
 *   `case_http_ms`, the same bytes as one plain HTTP download on the same link just after, and
 *   `case_open_vs_http` (their ratio); mean of the rounds, and the wire bytes of each.
 *   `case_open_resumed_*`: one more case, the link cut for 10 s once 3/4 of it crossed; its
 *   time (outage included) and wire bytes, and those over an uncut round's (resume: near 1).
 * The load average is reported at the start and the end: the machine is shared.
 */
export default async function run(opts: { quick: boolean }): Promise<Record<string, number>> {
  const metrics: Record<string, number> = { load_at_start: load() };
  const verify = await conclusionVerify(200, opts.quick ? 50 : 200);
  metrics.conclusion_verify_ms_p99 = r1(percentile(verify.verify, 99));
  metrics.conclusion_verify_ms_p50 = r1(percentile(verify.verify, 50));
  metrics.conclusion_accept_ms_p99 = r1(percentile(verify.accept, 99));

  const count = opts.quick ? 200 : 1000;
  const world = await consoleWorld();
  try {
    const q = await queueRender(world, count, opts.quick ? 5 : 20, opts.quick ? 15_000 : 60_000);
    metrics.queue_consultations = count;
    metrics.queue_render_ms_p95 = r1(percentile(q.render, 95));
    metrics.queue_render_ms_p50 = r1(percentile(q.render, 50));
    metrics.plain_table_ms_p95 = r1(percentile(q.plainTable, 95));
    metrics.queue_vs_plain_table =
      Math.round((percentile(q.render, 95) / percentile(q.plainTable, 95)) * 100) / 100;
    metrics.queue_claim_ms_p95 = r1(percentile(q.claim, 95));
    metrics.queue_fill_ms = Math.round(q.fillMs);
    metrics.idle_console_cpu_ms_per_min = Math.round(q.idleConsoleCpuMsPerMin);
    metrics.idle_hub_cpu_ms_per_min = Math.round(q.idleHubCpuMsPerMin);
  } finally {
    await world.close();
  }
  // Two rounds (one with --quick), each a new case to the same console, after it went back to
  // its queue from the case opened before.
  // Then one round cut for 10 s 3/4 in (longer than both heartbeats: a real session loss).
  const all = await caseOpen(256, opts.quick ? 1 : 2, 10_000);
  const rounds = all.filter((r) => r.outageMs === undefined);
  const resumed = all.find((r) => r.outageMs !== undefined);
  const mean = (f: (r: (typeof rounds)[number]) => number) =>
    rounds.reduce((n, r) => n + f(r), 0) / rounds.length;
  metrics.case_rate_kbit = 256;
  metrics.case_open_ms = Math.round(mean((r) => r.caseOpenMs));
  metrics.case_http_ms = Math.round(mean((r) => r.httpMs));
  metrics.case_open_vs_http = Math.round((mean((r) => r.caseOpenMs) / mean((r) => r.httpMs)) * 100) / 100;
  metrics.case_payload_bytes = Math.round(mean((r) => r.payloadBytes));
  metrics.case_wire_bytes = Math.round(mean((r) => r.caseWireBytes));
  metrics.case_http_wire_bytes = Math.round(mean((r) => r.httpWireBytes));
  if (resumed) {
    metrics.case_open_resumed_ms = Math.round(resumed.caseOpenMs);
    metrics.case_open_resumed_outage_ms = resumed.outageMs ?? 0;
    metrics.case_open_resumed_wire_bytes = resumed.caseWireBytes;
    // Wire bytes per payload byte of the cut round over the uncut ones' (each case's photos
    // differ in size): 1 is a perfect resume; restarting from byte 0 after the cut costs ~1.5.
    const perPayload = (r: (typeof all)[number]) => r.caseWireBytes / r.payloadBytes;
    metrics.case_open_resumed_vs_uncut_wire =
      Math.round((perPayload(resumed) / mean(perPayload)) * 100) / 100;
  }
  metrics.load_at_end = load();
  return metrics;
}
