import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { toBase64Url, toHex } from '../crypto/bytes.ts';
import { LmdbMailbox } from '../runtime/hub/lmdb-mailbox.ts';
import { HUB_CERT_FILE } from '../runtime/hub/tls.ts';
import { HubSocketCarrier } from '../runtime/link/carriers/hub-socket/hub-socket-carrier.ts';
import type { DeliveryState } from '../runtime/link/delivery.ts';
import { rank } from '../runtime/link/delivery.ts';
import { LinkEndpoint } from '../runtime/link/endpoint.ts';
import { storeIdentity } from '../runtime/link/endpoint-identity.ts';
import { HubLink } from '../runtime/link/hub-link.ts';
import { openStore } from '../store/index.ts';
import { TEST_KDF, tempDir } from '../store/testing.ts';
import type { HubProcess } from './helpers/hub-process.ts';
import { spawnHub } from './helpers/hub-process.ts';
import { runCli } from './helpers/kit-process.ts';
import { onLines } from './helpers/lines.ts';
import { testDirectory, testOrg, testStore, watch } from './helpers/link-world.ts';
import type { TcpRelay } from './helpers/tcp-relay.ts';
import { startTcpRelay } from './helpers/tcp-relay.ts';
import { until } from './helpers/until.ts';

/** The hub's store passphrase (its store is made and opened by the real `fieldkit hub`). */
const HUB_PASS = 'hub passphrase';
const KIT_CHILD = fileURLToPath(new URL('./helpers/link-crash-kit.ts', import.meta.url));

/** What the children print (one JSON object per line). */
interface Line {
  readonly type: string;
  readonly itemId?: string;
  readonly envelopeId?: string | null;
  readonly state?: DeliveryState | 'none' | 'partial' | 'held' | 'gone';
  readonly bytesAcked?: number;
  readonly size?: number;
  readonly port?: number;
  readonly cert?: string;
  readonly id?: string;
  readonly items?: { itemId: string; envelopeId: string | null; state: DeliveryState }[];
}

/** A child process of the test and everything it printed. */
interface Child {
  readonly proc: ChildProcess;
  readonly lines: Line[];
  /** Resolves with the first line (past or future) matching `match`. */
  line(match: (l: Line) => boolean, what: string, ms?: number): Promise<Line>;
  send(value: unknown): void;
  /** SIGKILL, and resolves once it is reaped. */
  kill(): Promise<void>;
}

const children = new Set<Child>();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of [...children]) await c.kill();
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
});

function spawnChild(script: string, args: string[]): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: Line[] = [];
  const waiters = new Set<() => void>();
  onLines(proc.stdout, (text) => {
    lines.push(JSON.parse(text) as Line);
    for (const w of [...waiters]) w();
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const child: Child = {
    proc,
    lines,
    line: (match, what, ms = 60_000) =>
      new Promise<Line>((resolve, reject) => {
        const check = (): void => {
          const hit = lines.find(match);
          if (!hit) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${what}: not printed within ${ms} ms`));
        }, ms);
        waiters.add(check);
        void exited.then(() => {
          if (!waiters.has(check)) return;
          waiters.delete(check);
          clearTimeout(timer);
          reject(new Error(`${what}: the child exited first (${proc.exitCode ?? proc.signalCode})`));
        });
        check();
      }),
    send: (value) => proc.stdin.write(`${JSON.stringify(value)}\n`),
    async kill() {
      children.delete(child);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
  children.add(child);
  return child;
}

/** The latest state line of each item a kit child printed. */
function latest(kit: Child): Map<string, Line> {
  const m = new Map<string, Line>();
  for (const l of kit.lines) if (l.type === 'state' && l.itemId) m.set(l.itemId, l);
  return m;
}

/** Items the kit has seen acknowledged by the hub (at_hub or further), with their envelope ids. */
function acknowledged(kit: Child): Map<string, string> {
  const m = new Map<string, string>();
  for (const l of kit.lines)
    if (l.type === 'state' && l.itemId && l.envelopeId && rank(l.state as DeliveryState) >= rank('at_hub'))
      m.set(l.itemId, l.envelopeId);
  return m;
}

/** An item part-way across: some blocks acknowledged, not all. */
function midTransfer(kit: Child): boolean {
  return [...latest(kit).values()].some(
    (l) => l.state === 'sending' && (l.bytesAcked ?? 0) > 0 && (l.bytesAcked ?? 0) < (l.size ?? 0),
  );
}

const BACKLOG = { photos: 6, photoBytes: 300_000, vitals: 10 };

/**
 * A kit and a hub as real processes (SIGKILLable, restartable on the same data directories), the
 * kit reaching the hub through a 256 KiB/s relay so that transfers take seconds, and the
 * specialist's endpoint in this process, connected to the hub directly. The hub is the real CLI
 * (`bin/fieldkit.js hub enroll`, then `bin/fieldkit.js hub --directory …`). The kit is a child
 * running `startKitLink` (what `fieldkit start --hub` runs) on its own store, because the kit's
 * HTTP API cannot queue photos for the link, and the kill must land part-way through a large item.
 */
async function crashWorld() {
  const org = await testOrg();
  const kitDir = tempDir('fieldkit-crash-kit-');
  const hubDir = tempDir('fieldkit-crash-hub-');
  cleanups.push(kitDir.cleanup, hubDir.cleanup);
  mkdirSync(hubDir.dir, { recursive: true });
  // The kit's keys are made by its store: open it once here for the public half.
  const kitStore = await openStore({ path: kitDir.dir, passphrase: 'kit', kdf: TEST_KDF, actor: 'kit' });
  const kitKeys = kitStore.publicIdentity;
  await kitStore.close();
  const specS = await testStore('spec');
  cleanups.push(specS.cleanup);
  const specKeys = specS.store.publicIdentity;
  const directory = await testDirectory(org, [
    {
      id: 'kit-01',
      role: 'kit',
      name: 'Бригада 1',
      devices: [{ key: kitKeys.signing, box: kitKeys.sealing }],
    },
    {
      id: 'spec-ivanova',
      role: 'specialist',
      name: 'Иванова А. П., кардиолог',
      devices: [{ key: specKeys.signing, box: specKeys.sealing }],
    },
  ]);
  const directoryFile = join(hubDir.dir, 'directory.bin');
  writeFileSync(directoryFile, directory);
  const hubData = join(hubDir.dir, 'hub');
  for (const [identity, key, role] of [
    ['kit-01', kitKeys.signing, 'kit'],
    ['spec-ivanova', specKeys.signing, 'specialist'],
  ] as const) {
    const r = await runCli(
      // `--` ends the options: a base64url key may begin with '-' (1 in 64), which parseArgs would
      // read as an option.
      ['hub', 'enroll', '--role', role, '--data', hubData, '--', identity, toBase64Url(key)],
      hubData,
      HUB_PASS,
    );
    if (r.code !== 0) throw new Error(`fieldkit hub enroll failed: ${r.stderr}`);
  }
  const startHubProcess = async (port: number): Promise<{ proc: HubProcess; port: number; cert: string }> => {
    const proc = spawnHub(hubData, HUB_PASS, [
      '--port',
      String(port),
      '--directory',
      directoryFile,
      '--log-level',
      'warn',
    ]);
    cleanups.push(() => proc.kill());
    const url = new URL(await proc.url);
    return { proc, port: Number(url.port), cert: readFileSync(join(hubData, HUB_CERT_FILE), 'utf8') };
  };
  let hub = await startHubProcess(0);
  const relay: TcpRelay = await startTcpRelay(hub.port, { bytesPerSecond: 256 * 1024 });
  cleanups.push(() => relay.close());

  const specWatched = watch();
  const spec = new LinkEndpoint({
    store: specS.store,
    identity: storeIdentity(specS.store),
    orgKey: org.publicKey,
    onEvent: specWatched.onEvent,
    liveness: { intervalMs: 300, timeoutMs: 1500 },
  });
  await spec.start(directory);
  const specLink = new HubLink(
    spec,
    new HubSocketCarrier({
      url: `https://127.0.0.1:${hub.port}`,
      certPem: hub.cert,
      signer: storeIdentity(specS.store).signer,
      connectTimeoutMs: 5000,
    }),
    { maxBackoffMs: 300 },
  );
  specLink.start();
  cleanups.push(async () => {
    await specLink.stop();
    await spec.stop();
  });

  const kitConfig = (queue: boolean): string => {
    const file = join(hubDir.dir, `kit-config-${queue ? 'first' : 'again'}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        orgKey: toHex(org.publicKey),
        hubUrl: `https://127.0.0.1:${relay.port}`,
        certPem: hub.cert,
        directory: Buffer.from(directory).toString('base64'),
        to: 'spec-ivanova',
        ...(queue ? { queue: BACKLOG } : {}),
      }),
    );
    return file;
  };
  const startKitChild = (queue: boolean): Child => spawnChild(KIT_CHILD, [kitDir.dir, kitConfig(queue)]);

  /** Times the specialist received each item (by item id). */
  const receivedCounts = (): Map<string, number> => {
    const m = new Map<string, number>();
    for (const e of specWatched.received()) m.set(e.itemId, (m.get(e.itemId) ?? 0) + 1);
    return m;
  };
  return {
    get hub() {
      return hub;
    },
    async restartHub(): Promise<void> {
      hub = await startHubProcess(hub.port);
    },
    /** What the (stopped) hub's mailbox holds of each envelope, read from its store on disk. */
    async mailboxStates(envelopeIds: readonly string[]): Promise<string[]> {
      const store = await openStore({ path: hubData, passphrase: HUB_PASS, actor: 'test' });
      try {
        const mailbox = new LmdbMailbox(store);
        const out: string[] = [];
        for (const id of envelopeIds) out.push((await mailbox.state(id)).state);
        return out;
      } finally {
        await store.close();
      }
    },
    startKitChild,
    receivedCounts,
  };
}

/** Item ids the first kit process queued (durable in its outbox when printed). */
function queuedIds(kit: Child): string[] {
  return kit.lines.flatMap((l) => (l.type === 'queued' && l.itemId ? [l.itemId] : []));
}

/** The backlog crossed: every queued item received by the specialist exactly once, nothing else. */
async function expectExactlyOnce(
  world: Awaited<ReturnType<typeof crashWorld>>,
  queued: readonly string[],
): Promise<void> {
  await until(() => queued.every((id) => world.receivedCounts().has(id)), {
    timeoutMs: 90_000,
    intervalMs: 50,
    what: `all ${queued.length} items received by the specialist`,
  });
  const counts = world.receivedCounts();
  expect([...counts.keys()].sort()).toEqual([...queued].sort());
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
}

describe('kill -9 during transfers (real processes, same data directories after the restart)', () => {
  it('the hub killed mid-transfer: everything it acknowledged is on its disk, the backlog crosses exactly once', async () => {
    const world = await crashWorld();
    const kit = world.startKitChild(true);
    await kit.line((l) => l.type === 'all-queued', 'backlog queued');
    const queued = queuedIds(kit);
    expect(queued).toHaveLength(BACKLOG.photos + BACKLOG.vitals);
    await until(() => acknowledged(kit).size >= 3 && midTransfer(kit), {
      timeoutMs: 60_000,
      intervalMs: 2,
      what: 'three items at the hub and one part-way',
    });
    await world.hub.proc.kill();
    // Read after the kill: an acknowledgement printed now was sent before the hub died.
    const acked = acknowledged(kit);
    expect(acked.size).toBeLessThan(queued.length); // the kill landed mid-backlog

    // The dead hub's store, opened from here: held for the specialist, or already delivered to
    // it (freed, id remembered), on disk either way.
    const held = await world.mailboxStates([...acked.values()]);
    for (const state of held) expect(['held', 'gone']).toContain(state);
    await world.restartHub();
    console.log(
      `link-crash hub: ${queued.length} queued, ${acked.size} acknowledged before the kill; on the dead hub's disk ${held.filter((h) => h === 'held').length} held, ${held.filter((h) => h === 'gone').length} delivered`,
    );
    await expectExactlyOnce(world, queued);
    await until(
      () => queued.every((id) => rank(latest(kit).get(id)?.state as DeliveryState) >= rank('at_hub')),
      {
        timeoutMs: 30_000,
        what: 'the kit sees every item at the hub',
      },
    );
  }, 240_000);

  it('the kit killed mid-transfer: its outbox and states survive, it resumes, the backlog crosses exactly once', async () => {
    const world = await crashWorld();
    const first = world.startKitChild(true);
    await first.line((l) => l.type === 'all-queued', 'backlog queued');
    const queued = queuedIds(first);
    await until(() => acknowledged(first).size >= 3 && midTransfer(first), {
      timeoutMs: 60_000,
      intervalMs: 2,
      what: 'three items at the hub and one part-way',
    });
    await first.kill();
    const acked = acknowledged(first);
    const sealedBefore = new Map(
      [...latest(first).values()].flatMap((l) =>
        l.itemId && l.envelopeId ? [[l.itemId, l.envelopeId]] : [],
      ),
    );
    expect(acked.size).toBeLessThan(queued.length);
    console.log(
      `link-crash kit: ${queued.length} queued, ${acked.size} acknowledged before the kill, ${sealedBefore.size} sealed`,
    );

    const again = world.startKitChild(false);
    const ready = await again.line((l) => l.type === 'ready', 'kit ready after the restart');
    const loaded = new Map(ready.items!.map((i) => [i.itemId, i]));
    // Nothing stored is lost; nothing acknowledged goes back to the queue; nothing is sealed
    // again under a new envelope id (which would reach the specialist as a second copy).
    expect([...loaded.keys()].sort()).toEqual([...queued].sort());
    for (const [itemId, envelopeId] of acked) {
      expect(rank(loaded.get(itemId)!.state)).toBeGreaterThanOrEqual(rank('at_hub'));
      expect(loaded.get(itemId)!.envelopeId).toBe(envelopeId);
    }
    for (const [itemId, envelopeId] of sealedBefore) expect(loaded.get(itemId)!.envelopeId).toBe(envelopeId);

    await expectExactlyOnce(world, queued);
    await until(
      () =>
        queued.every(
          (id) =>
            rank((latest(again).get(id)?.state ?? loaded.get(id)!.state) as DeliveryState) >= rank('at_hub'),
        ),
      { timeoutMs: 30_000, what: 'the restarted kit sees every item at the hub' },
    );
  }, 240_000);
});
