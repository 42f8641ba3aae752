import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { NetSimError, netSimUnavailable, run } from './shell.ts';

/** Every namespace this simulator makes starts with this, then the owner's pid. */
export const NS_PREFIX = 'fkn';
const NAME = /^fkn(\d+)x[0-9a-f]{4}-[ab]$/;

/** One direction's conditions. */
export interface Shaping {
  /** Rate in kbit/s (tbf on the sending side); undefined: unlimited. */
  readonly rateKbit?: number;
  /** Random loss on the receiving side, 0..1 (iptables statistic). */
  readonly loss?: number;
}

/** Options of {@link createNetLink}. */
export interface NetLinkOptions {
  /** a -> b (shaped on a's side of the veth, lost on b's input). */
  readonly aToB?: Shaping;
  /** b -> a. */
  readonly bToA?: Shaping;
  /**
   * TCP congestion control of the connections the bridges open across the link (the stand-ins
   * for the kit's and the hub's own sockets). Undefined: the kernel's default, which on some
   * hosts is bbr; Debian (the kit, the hub) defaults to cubic.
   */
  readonly congestion?: 'cubic' | 'reno' | 'bbr';
}

/** What one side's shaper sent and dropped (tc's counters on its veth). */
export interface LinkCounters {
  /** Bytes put on the wire, link-layer headers and TCP retransmissions included. */
  readonly bytes: number;
  readonly packets: number;
  /** Packets the shaper dropped because its queue was full. */
  readonly overflowDrops: number;
}

/** Two network namespaces joined by a veth pair, with shaping, loss and cuts. */
export interface NetLink {
  readonly a: { readonly ns: string; readonly ip: string };
  readonly b: { readonly ns: string; readonly ip: string };
  /** Sets the rate and loss each way (replaces the previous setting). */
  shape(options: NetLinkOptions): Promise<void>;
  /** Drops every packet both ways, silently (a radio cut: nothing is told, no link goes down). */
  cut(): Promise<void>;
  /** Ends a cut. */
  heal(): Promise<void>;
  /** True while cut. */
  readonly isCut: boolean;
  /** The congestion control bridges set on their TCP connections across the link. */
  readonly congestion: NetLinkOptions['congestion'];
  /** tc's counters of what `side` sent across the link. */
  counters(side: 'a' | 'b'): Promise<LinkCounters>;
  /** `ip netns exec <ns>` prefix for spawning a process in one namespace. */
  execArgs(side: 'a' | 'b', command: string, args: readonly string[]): { cmd: string; args: string[] };
  /** Removes both namespaces (and with them the veth pair and every rule). Idempotent. */
  close(): Promise<void>;
}

const live = new Set<string>();
let exitHooked = false;

/** Deletes namespaces synchronously at exit (a crash or a kill of the test leaves nothing behind). */
function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  const sweepSync = (): void => {
    // Late and synchronous: spawnSync is the one thing that still runs in an 'exit' handler.
    for (const ns of live) spawnSync('ip', ['netns', 'del', ns]);
    live.clear();
  };
  process.once('exit', sweepSync);
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.once(sig, () => {
      sweepSync();
      process.kill(process.pid, sig);
    });
}

/**
 * Removes namespaces this simulator left behind: those whose owning process is gone (or, with
 * `all`, every one it ever made). Returns the names removed.
 */
export async function sweepStaleNamespaces(all = false): Promise<string[]> {
  const out = await run('ip', ['netns', 'list']);
  const removed: string[] = [];
  for (const line of out.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const m = NAME.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (!all && (pid === process.pid || alive(pid))) continue;
    await run('ip', ['netns', 'del', name]).catch(() => undefined);
    removed.push(name);
  }
  return removed;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Builds two namespaces `a` and `b` joined by a veth pair (10.77.0.1 <-> 10.77.0.2, both `veth0`),
 * loopback up in each, with `tbf` rate shaping on each sender and `statistic` random loss on each
 * receiver's INPUT. Cuts drop everything in both INPUT chains. Names are unique per process and
 * swept if their owner died; everything is removed on close() or at exit.
 */
export async function createNetLink(options: NetLinkOptions = {}): Promise<NetLink> {
  const why = await netSimUnavailable();
  if (why) throw new NetSimError(process.getuid?.() === 0 ? 'no_netns' : 'not_root', why);
  await sweepStaleNamespaces();
  hookExit();
  const tag = `${NS_PREFIX}${process.pid}x${randomBytes(2).toString('hex')}`;
  const a = { ns: `${tag}-a`, ip: '10.77.0.1' };
  const b = { ns: `${tag}-b`, ip: '10.77.0.2' };
  let cut = false;
  let closed = false;
  const nsRun = (ns: string, cmd: string, args: readonly string[]): Promise<string> =>
    run('ip', ['netns', 'exec', ns, cmd, ...args]);
  try {
    for (const side of [a, b]) {
      await run('ip', ['netns', 'add', side.ns]);
      live.add(side.ns);
    }
    await run('ip', [
      '-n',
      a.ns,
      'link',
      'add',
      'veth0',
      'type',
      'veth',
      'peer',
      'name',
      'veth0',
      'netns',
      b.ns,
    ]);
    for (const side of [a, b]) {
      await run('ip', ['-n', side.ns, 'addr', 'add', `${side.ip}/24`, 'dev', 'veth0']);
      await run('ip', ['-n', side.ns, 'link', 'set', 'veth0', 'up']);
      await run('ip', ['-n', side.ns, 'link', 'set', 'lo', 'up']);
      // Our own chains, first in INPUT: FKCUT (a cut drops all), then FKLOSS (random loss).
      for (const chain of ['FKCUT', 'FKLOSS']) await nsRun(side.ns, 'iptables', ['-N', chain]);
      await nsRun(side.ns, 'iptables', ['-A', 'INPUT', '-i', 'veth0', '-j', 'FKCUT']);
      await nsRun(side.ns, 'iptables', ['-A', 'INPUT', '-i', 'veth0', '-j', 'FKLOSS']);
    }
  } catch (error) {
    for (const side of [a, b]) {
      await run('ip', ['netns', 'del', side.ns]).catch(() => undefined);
      live.delete(side.ns);
    }
    throw error;
  }

  const shapeOne = async (sender: string, receiver: string, s: Shaping | undefined): Promise<void> => {
    await run('ip', ['netns', 'exec', sender, 'tc', 'qdisc', 'del', 'dev', 'veth0', 'root']).catch(
      () => undefined,
    );
    if (s?.rateKbit) {
      // burst: one MTU-sized packet at least, ~10 ms of traffic; queue: ~400 ms worth (TCP sees it).
      const burst = Math.max(1600, Math.round((s.rateKbit * 1000) / 8 / 100));
      const limit = Math.max(3200, Math.round(((s.rateKbit * 1000) / 8) * 0.4));
      await nsRun(sender, 'tc', [
        'qdisc',
        'add',
        'dev',
        'veth0',
        'root',
        'tbf',
        'rate',
        `${s.rateKbit}kbit`,
        'burst',
        String(burst),
        'limit',
        String(limit),
      ]);
    }
    await nsRun(receiver, 'iptables', ['-F', 'FKLOSS']);
    if (s?.loss && s.loss > 0)
      await nsRun(receiver, 'iptables', [
        '-A',
        'FKLOSS',
        '-m',
        'statistic',
        '--mode',
        'random',
        '--probability',
        String(s.loss),
        '-j',
        'DROP',
      ]);
  };

  const link: NetLink = {
    a,
    b,
    async shape(o) {
      await shapeOne(a.ns, b.ns, o.aToB);
      await shapeOne(b.ns, a.ns, o.bToA);
    },
    async cut() {
      if (cut) return;
      cut = true;
      for (const side of [a, b]) await nsRun(side.ns, 'iptables', ['-A', 'FKCUT', '-j', 'DROP']);
    },
    async heal() {
      if (!cut) return;
      cut = false;
      for (const side of [a, b]) await nsRun(side.ns, 'iptables', ['-F', 'FKCUT']);
    },
    get isCut() {
      return cut;
    },
    congestion: options.congestion,
    async counters(side) {
      const out = await nsRun(side === 'a' ? a.ns : b.ns, 'tc', ['-s', 'qdisc', 'show', 'dev', 'veth0']);
      const m = /Sent (\d+) bytes (\d+) pkt \(dropped (\d+)/.exec(out);
      if (!m) throw new NetSimError('command_failed', `no counters in tc's answer: ${out.slice(0, 200)}`);
      return { bytes: Number(m[1]), packets: Number(m[2]), overflowDrops: Number(m[3]) };
    },
    execArgs(side, command, args) {
      return { cmd: 'ip', args: ['netns', 'exec', side === 'a' ? a.ns : b.ns, command, ...args] };
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const side of [a, b]) {
        await run('ip', ['netns', 'del', side.ns]).catch(() => undefined);
        live.delete(side.ns);
      }
    },
  };
  await link.shape(options);
  return link;
}
