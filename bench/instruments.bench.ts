import { spawn, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { asDeviceId } from '../ble-devices/transport.ts';
import { NodeBleTransport } from '../ble-devices/transports/node-ble/index.ts';
import { parseKitConfig } from '../runtime/config.ts';
import { SimTransport } from '../sim/transport/sim-transport.ts';
import { ECG_CHARACTERISTIC, fleet, now, recordEmits, type Emitted } from './instruments/fleet.ts';
import { fdatasyncLatencies } from './instruments/disk-sync.ts';
import { kitUnderTest, type Commit, type KitUnderTest } from './instruments/kit-under-test.ts';
import { matchLatencies, streamKey, type Timed } from './instruments/matching.ts';
import { percentile, round } from './store/timing.ts';
import { threadCpu, threadCpuSplit } from './instruments/thread-cpu.ts';

const CHILD = fileURLToPath(new URL('./instruments/bluez-child.ts', import.meta.url));

/** What the instruments sent, as the matcher keys it (by the device's address). */
function sentFrames(emitted: readonly Emitted[], addressOf: (id: string) => string): Timed[] {
  return emitted.map((e) => ({ stream: streamKey(addressOf(e.id), e.characteristic), key: e.key, at: e.at }));
}

/** What the kit got, as the matcher keys it; `stage` picks the store call or the commit. */
function receivedFrames(commits: readonly Commit[], stage: 'calledAt' | 'at'): Timed[] {
  return commits.map((c) => ({ stream: streamKey(c.deviceId, c.characteristic), key: c.key, at: c[stage] }));
}

/**
 * Where a stored reading's time goes: notification -> the pipeline handing it to the store (the
 * D-Bus hop, node-ble, decoding, the manager) and store call -> durable commit (waiting for the
 * commit in progress, the transaction, fsync). p50/p99 of each, with the matched count.
 */
function commitMetrics(
  prefix: string,
  sent: readonly Timed[],
  commits: readonly Commit[],
): Record<string, number> {
  const lat = matchLatencies(sent, receivedFrames(commits, 'at'));
  const toStore = matchLatencies(sent, receivedFrames(commits, 'calledAt'));
  const inStore = commits.map((c) => c.at - c.calledAt);
  return {
    [`${prefix}stored_readings`]: commits.length,
    [`${prefix}matched_readings`]: lat.length,
    [`${prefix}notify_to_commit_p50_ms`]: round(percentile(lat, 50), 2),
    [`${prefix}notify_to_commit_p99_ms`]: round(percentile(lat, 99), 2),
    [`${prefix}notify_to_store_call_p50_ms`]: round(percentile(toStore, 50), 2),
    [`${prefix}notify_to_store_call_p99_ms`]: round(percentile(toStore, 99), 2),
    [`${prefix}store_call_to_commit_p50_ms`]: round(percentile(inStore, 50), 2),
    [`${prefix}store_call_to_commit_p99_ms`]: round(percentile(inStore, 99), 2),
  };
}

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`benchmark: ${what} not reached in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The ECG strap's figures: its notifications per second, how many reached the pipeline, and the
 * notify-to-pipeline latency (strips are committed whole, so an ECG notification has no commit
 * of its own).
 */
function ecgMetrics(
  prefix: string,
  emitted: readonly Emitted[],
  sent: readonly Timed[],
  waveforms: readonly Commit[],
  steadyMs: number,
): Record<string, number> {
  const count = emitted.filter((e) => e.characteristic === ECG_CHARACTERISTIC).length;
  // Matched by the PMD frame's device timestamp: a frame lost or sent before recording is skipped.
  const ecg = matchLatencies(sent, receivedFrames(waveforms, 'at'));
  return {
    [`${prefix}ecg_notifications_per_s`]: round(count / (steadyMs / 1000), 2),
    [`${prefix}ecg_notifications_delivered`]: ecg.length,
    [`${prefix}ecg_notifications_sent`]: count,
    [`${prefix}ecg_notify_to_pipeline_p99_ms`]: round(percentile(ecg, 99), 2),
  };
}

/** The simulated BlueZ with the fleet in a child process, driven by JSON lines. */
function bluezChild(): {
  child: ChildProcess;
  next: (event: string) => Promise<Record<string, unknown>>;
  send: (l: string) => void;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { stdio: ['pipe', 'pipe', 'inherit'] });
  const queue: Array<Record<string, unknown>> = [];
  const waiting: Array<() => void> = [];
  createInterface({ input: child.stdout }).on('line', (l) => {
    queue.push(JSON.parse(l) as Record<string, unknown>);
    for (const w of waiting.splice(0)) w();
  });
  const next = async (event: string): Promise<Record<string, unknown>> => {
    for (;;) {
      const i = queue.findIndex((m) => m.event === event);
      if (i >= 0) return queue.splice(i, 1)[0]!;
      await new Promise<void>((r) => waiting.push(r));
    }
  };
  return { child, next, send: (l) => child.stdin.write(`${l}\n`) };
}

/** What {@link steady} measured. */
interface SteadyResult {
  /** The kit process's CPU (all threads) over the window, as a share of one core. */
  cpu: number;
  /** The same over the warm-up just before the window (JIT compiling, caches filling). */
  warmupCpu: number;
  /** The main thread's share and the other threads' (LMDB's write worker, V8's helpers). */
  mainCpu: number;
  otherCpu: number;
  loopP99: number;
  from: number;
  ecgFrom: number;
  start: number;
  end: number;
}

/**
 * Runs the warm-up, then the steady phase: notify-to-commit latency and the kit process's CPU
 * share. The warm-up's own CPU share is reported too: a fresh process compiles its hot code in
 * its first seconds (V8's optimising compiler was 14 % of the kit's CPU 2 s after connecting and
 * 5 % after 20 s), a cost the kit pays once per start, not per second of a field day.
 */
async function steady(
  k: KitUnderTest,
  warmupMs: number,
  ms: number,
  record: (on: boolean) => Promise<void>,
): Promise<SteadyResult> {
  const warm0 = process.cpuUsage();
  const warmT0 = performance.now();
  await new Promise((r) => setTimeout(r, warmupMs));
  const warm = process.cpuUsage(warm0);
  const warmupCpu = (warm.user + warm.system) / 1000 / (performance.now() - warmT0);
  await record(true);
  const from = k.commits.length;
  const ecgFrom = k.waveforms.length;
  // How late the kit's event loop runs what is due: on a loaded machine the process waits for a
  // core, and every reading waits with it, whatever the code does.
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const threads0 = threadCpu();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const start = now();
  await new Promise((r) => setTimeout(r, ms));
  const used = process.cpuUsage(cpu0);
  const threads = threadCpuSplit(threads0, threadCpu());
  const wall = performance.now() - t0;
  const end = now();
  loop.disable();
  await record(false);
  return {
    cpu: (used.user + used.system) / 1000 / wall,
    warmupCpu,
    mainCpu: threads.mainMs / wall,
    otherCpu: threads.otherMs / wall,
    loopP99: loop.percentile(99) / 1e6,
    from,
    ecgFrom,
    start,
    end,
  };
}

/** The kit's CPU figures of one run, under the prefix of its transport. */
function cpuMetrics(prefix: string, r: SteadyResult, notifications: number): Record<string, number> {
  return {
    [`${prefix}_cpu_share`]: round(r.cpu, 3),
    [`${prefix}_cpu_share_main_thread`]: round(r.mainCpu, 3),
    [`${prefix}_cpu_share_other_threads`]: round(r.otherCpu, 3),
    [`${prefix}_cpu_share_warmup`]: round(r.warmupCpu, 3),
    // Per notification, the figure that does not move with the fleet's rate.
    [`${prefix}_cpu_us_per_notification`]: round((r.cpu * 1e6) / Math.max(1, notifications), 1),
  };
}

/**
 * The store's side during the steady phase: transactions per second, stored readings per
 * transaction (group commit at work), each transaction's time to durable, and the disk's own
 * fdatasync latency measured right after, as the floor under all of it.
 */
function storeMetrics(
  prefix: string,
  k: KitUnderTest,
  window: { start: number; end: number; from: number },
): Record<string, number> {
  const txns = k.transactions.filter((t) => t.at >= window.start && t.at < window.end);
  const readings = k.commits.slice(window.from).filter((c) => c.calledAt < window.end).length;
  const ms = txns.map((t) => t.ms);
  const sync = fdatasyncLatencies(k.dir, 200);
  return {
    [`${prefix}store_transactions_per_s`]: round(txns.length / ((window.end - window.start) / 1000), 1),
    [`${prefix}readings_per_transaction`]: round(readings / Math.max(1, txns.length), 2),
    [`${prefix}store_transaction_p50_ms`]: round(percentile(ms, 50), 2),
    [`${prefix}store_transaction_p99_ms`]: round(percentile(ms, 99), 2),
    [`${prefix}disk_fdatasync_p50_ms`]: round(percentile(sync, 50), 2),
    [`${prefix}disk_fdatasync_p99_ms`]: round(percentile(sync, 99), 2),
  };
}

/**
 * 12 simulated instruments at their highest rates (7 PLX oximeters at 60 Hz, 4 BP cuffs measuring
 * every second, a Polar H10 streaming ECG at 130 Hz) into the real kit (encrypted store, pipeline, manager), through node-ble and the
 * simulated BlueZ on a private dbus-daemon, with BlueZ and the instruments in a child process so
 * the kit's CPU is its own; then the same fleet through SimTransport in one process, as the peer
 * that shows what D-Bus costs (there the instruments' timers share the kit's process, so it is
 * no lower bound). Metrics: notify-to-commit p50/p99, split into notification -> store call and
 * store call -> durable commit; reconnect time (link dropped by the instrument until its next
 * stored reading, with the kit's default first retry); the kit's CPU share of one core after a
 * 10 s warm-up (all its threads; split into the main thread and the rest, per notification, and
 * the warm-up's own share beside it); the
 * BlueZ/SimTransport p99 ratio; for the ECG, its notifications delivered (matched to what the
 * strap sent by the PMD frame's device timestamp) and their notify-to-pipeline p99.
 */
export default async function run(opts: { quick: boolean }): Promise<Record<string, number>> {
  const steadyMs = opts.quick ? 4000 : 20_000;
  // After the 12 are connected; the warm-up's CPU is reported as *_cpu_share_warmup.
  const warmupMs = opts.quick ? 1000 : 10_000;
  const drops = opts.quick ? 3 : 10;
  // The machine is shared: the load it ran under is part of every figure.
  const metrics: Record<string, number> = { load_1m_at_start: round(loadavg()[0] ?? Number.NaN, 2) };

  // --- through node-ble and the simulated BlueZ ---
  const c = bluezChild();
  let k: KitUnderTest | undefined;
  try {
    const ready = (await c.next('ready')) as { address: string; devices: Record<string, string> };
    const addressOf = (id: string): string => ready.devices[id] ?? id;
    const transport = new NodeBleTransport({ busAddress: ready.address });
    k = await kitUnderTest(transport);
    await until(() => k!.connected() === 12, 30_000, '12 instruments connected');
    const record = async (on: boolean): Promise<void> => {
      c.send(`record ${on ? 'on' : 'off'}`);
      await c.next('recording');
    };
    const run = await steady(k, warmupMs, steadyMs, record);
    const { loopP99, from, ecgFrom, start, end } = run;
    metrics.kit_event_loop_delay_p99_ms = round(loopP99, 2);
    c.send('dump');
    const { emitted } = (await c.next('dump')) as unknown as { emitted: Emitted[] };
    const sent = sentFrames(emitted, addressOf);
    metrics.instruments = 12;
    metrics.ecg_included = 1;
    metrics.notifications_per_s = round(emitted.length / (steadyMs / 1000), 1);
    Object.assign(metrics, commitMetrics('', sent, k.commits.slice(from)));
    Object.assign(metrics, storeMetrics('', k, { start, end, from }));
    Object.assign(metrics, ecgMetrics('', emitted, sent, k.waveforms.slice(ecgFrom), steadyMs));
    Object.assign(metrics, cpuMetrics('kit', run, metrics.notifications_per_s));
    // Reconnects: an oximeter drops its link; time until the kit has stored its next reading.
    const reconnect: number[] = [];
    for (let i = 0; i < drops; i++) {
      const address = addressOf(`bench-plx-${(i % 7) + 1}`);
      c.send(`drop ${address}`);
      const { at } = (await c.next('dropped')) as { at: number };
      const back = await k.firstReadingAfterReconnect(address, at, 30_000);
      reconnect.push(back - at);
      await until(() => k!.connected() === 12, 30_000, 'all reconnected');
    }
    metrics.reconnect_ms_p50 = round(percentile(reconnect, 50), 1);
    metrics.reconnect_ms_max = round(Math.max(...reconnect), 1);
    // The kit's default first retry (jittered down to half of it), which the reconnect time includes.
    metrics.reconnect_delay_ms = parseKitConfig({
      dataDir: '.',
      http: {},
      sim: {},
      utcOffsetMinutes: 0,
    }).firstReconnectDelayMs;
  } finally {
    await k?.stop();
    c.send('quit');
    await new Promise((r) => c.child.once('exit', r));
  }

  // --- the same fleet through SimTransport, in process ---
  const instruments = fleet();
  let recording = false;
  const emitted: Emitted[] = [];
  recordEmits(instruments, (e) => {
    if (recording) emitted.push(e);
  });
  for (const i of instruments) i.start();
  const sk = await kitUnderTest(new SimTransport(instruments.map((i) => i.peripheral)));
  try {
    await until(() => sk.connected() === 12, 30_000, '12 instruments connected (SimTransport)');
    const run = await steady(sk, warmupMs, steadyMs, (on) => {
      recording = on;
      return Promise.resolve();
    });
    const { loopP99, from, ecgFrom, start, end } = run;
    metrics.sim_event_loop_delay_p99_ms = round(loopP99, 2);
    const sent = sentFrames(emitted, (id) => asDeviceId(id));
    Object.assign(metrics, ecgMetrics('sim_', emitted, sent, sk.waveforms.slice(ecgFrom), steadyMs));
    Object.assign(metrics, commitMetrics('sim_', sent, sk.commits.slice(from)));
    Object.assign(metrics, storeMetrics('sim_', sk, { start, end, from }));
    // This process also runs the 12 simulated instruments: an upper bound, not the kit's own.
    Object.assign(metrics, cpuMetrics('sim_process', run, (emitted.length * 1000) / steadyMs));
    const ratio = (a: string, b: string): number =>
      round((metrics[a] ?? Number.NaN) / (metrics[b] ?? Number.NaN), 2);
    metrics.bluez_vs_sim_p99_ratio = ratio('notify_to_commit_p99_ms', 'sim_notify_to_commit_p99_ms');
    // The transport alone (the store's commit left out): D-Bus and node-ble against a function call.
    metrics.bluez_vs_sim_store_call_p99_ratio = ratio(
      'notify_to_store_call_p99_ms',
      'sim_notify_to_store_call_p99_ms',
    );
  } finally {
    for (const i of instruments) i.stop();
    await sk.stop();
  }
  metrics.load_1m_at_end = round(loadavg()[0] ?? Number.NaN, 2);
  metrics.measured_at = Math.round(now());
  return metrics;
}
