import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { fromHex, toHex } from '../../crypto/bytes.ts';
import { createBridges } from '../../sim/net/bridge.ts';
import type { NetLink } from '../../sim/net/net-link.ts';
import { startTestHub, testDirectory, testOrg } from '../../test/helpers/link-world.ts';

const Identity = z.object({ type: z.literal('identity'), signing: z.string(), sealing: z.string() });
const Ready = z.object({ type: z.literal('ready') });
const Done = z.object({
  type: z.literal('done'),
  ms: z.number(),
  payload: z.number(),
  bytesSent: z.number(),
  bytesResent: z.number(),
});
/** What the kit process reports once every item reached the console. */
export type DirectResult = Omit<z.infer<typeof Done>, 'type'>;

/** Port the hub is exposed on inside each namespace (signaling only, not shaped). */
const NS_HUB_PORT = 8471;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A peer process inside a namespace, talking JSON lines. */
class Peer {
  readonly #proc: ChildProcess;
  readonly #queue: unknown[] = [];
  #wake: (() => void) | undefined;
  #stderr = '';
  #exited: string | undefined;

  constructor(link: NetLink, side: 'a' | 'b', role: 'kit' | 'console') {
    const { cmd, args } = link.execArgs(side, process.execPath, [
      '--import',
      'tsx',
      'bench/link/direct-peer.ts',
      role,
    ]);
    this.#proc = spawn(cmd, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    this.#proc.stderr?.on('data', (d: Buffer) => (this.#stderr = (this.#stderr + d.toString()).slice(-4000)));
    createInterface({ input: this.#proc.stdout! }).on('line', (l) => {
      try {
        this.#queue.push(JSON.parse(l) as unknown);
      } catch {
        return; // a stray log line
      }
      this.#wake?.();
    });
    this.#proc.once('exit', (code) => {
      this.#exited = `${role} exited (${code}): ${this.#stderr.trim()}`;
      this.#wake?.();
    });
  }

  send(msg: Record<string, unknown>): void {
    this.#proc.stdin?.write(`${JSON.stringify(msg)}\n`);
  }

  async next<T>(schema: z.ZodType<T>, ms: number): Promise<T> {
    const end = Date.now() + ms;
    while (this.#queue.length === 0) {
      if (this.#exited) throw new Error(this.#exited);
      if (Date.now() > end) throw new Error(`no answer in ${ms} ms; stderr: ${this.#stderr.trim()}`);
      await new Promise<void>((r) => {
        this.#wake = r;
        setTimeout(r, 1000);
      });
    }
    return schema.parse(this.#queue.shift());
  }

  async stop(): Promise<void> {
    if (this.#proc.exitCode !== null) return;
    const gone = new Promise<void>((r) => this.#proc.once('exit', () => r()));
    this.send({ type: 'stop' });
    const timer = setTimeout(() => this.#proc.kill('SIGKILL'), 15_000);
    await gone;
    clearTimeout(timer);
  }
}

/**
 * The direct carrier across the shaped link, with its peers as processes in the namespaces: the
 * kit in `b`, the console in `a` (where the hub run has the kit and the hub), a real hub in the
 * root namespace for enrolment and signaling only (reached unshaped). Every byte of the backlog
 * crosses the veth as WebRTC (SCTP over DTLS over UDP), shaped and lossy like the hub run's TCP.
 * Returns the kit's time from starting the direct link to the last item delivered.
 */
export async function directRun(link: NetLink, visits: number): Promise<DirectResult> {
  const org = await testOrg();
  let served: Uint8Array | undefined;
  const hub = await startTestHub({ directory: () => served });
  const bridges = createBridges(link);
  const peers: Peer[] = [];
  try {
    for (const side of ['a', 'b'] as const) await bridges.expose(hub.hub.port, side, NS_HUB_PORT);
    const consolePeer = new Peer(link, 'a', 'console');
    peers.push(consolePeer);
    const kitPeer = new Peer(link, 'b', 'kit');
    peers.push(kitPeer);
    const ids = {
      kit: await kitPeer.next(Identity, 120_000),
      spec: await consolePeer.next(Identity, 120_000),
    };
    served = await testDirectory(org, [
      {
        id: 'kit-01',
        role: 'kit',
        name: 'Бригада 1',
        devices: [{ key: fromHex(ids.kit.signing)!, box: fromHex(ids.kit.sealing)! }],
      },
      {
        id: 'spec-ivanova',
        role: 'specialist',
        name: 'Иванова А. П., кардиолог',
        devices: [{ key: fromHex(ids.spec.signing)!, box: fromHex(ids.spec.sealing)! }],
      },
    ]);
    await hub.hub.enrolments.enroll({ device: ids.kit.signing, identity: 'kit-01', role: 'kit' });
    await hub.hub.enrolments.enroll({
      device: ids.spec.signing,
      identity: 'spec-ivanova',
      role: 'specialist',
    });
    const config = {
      type: 'config',
      directory: toHex(served),
      orgKey: toHex(org.publicKey),
      hubUrl: `https://127.0.0.1:${NS_HUB_PORT}`,
      certPem: hub.tls.cert,
      visits,
    };
    consolePeer.send(config);
    kitPeer.send(config);
    await consolePeer.next(Ready, 120_000);
    await kitPeer.next(Ready, 120_000);
    kitPeer.send({ type: 'go' });
    const { type: _t, ...result } = await kitPeer.next(Done, 30 * 60_000);
    return result;
  } finally {
    await Promise.all(peers.map((p) => p.stop()));
    await bridges.close();
    await hub.stop();
  }
}
