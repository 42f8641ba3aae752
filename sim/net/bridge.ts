import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NetLink } from './net-link.ts';
import { NetSimError } from './shell.ts';

/** socat processes joining the root namespace's loopback to a {@link NetLink}. */
export interface Bridges {
  /**
   * A root-loopback port whose TCP connections cross the link from `from`'s side to `to`'s side
   * (shaped, lossy, cuttable) and arrive at `targetPort` on the root loopback. Lets two processes
   * in the root namespace talk only through the simulated link.
   */
  across(targetPort: number, from: 'a' | 'b'): Promise<number>;
  /** Makes root `targetPort` reachable inside a namespace as 127.0.0.1:`nsPort` (not shaped). */
  expose(targetPort: number, side: 'a' | 'b', nsPort: number): Promise<void>;
  close(): Promise<void>;
}

/** A free TCP port on the root loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Bridges built from socat: unix sockets cross namespaces (they live in the file system), TCP
 * does not. Every socat is killed on close(); the socket directory is removed.
 */
export function createBridges(link: NetLink): Bridges {
  const dir = mkdtempSync(join(tmpdir(), 'fk-net-'));
  const procs = new Set<ChildProcess>();
  let n = 0;
  let linkPort = 9000;
  const start = async (cmd: string, args: string[], ready: () => Promise<boolean>): Promise<void> => {
    // Its own process group: socat forks per connection, and close() kills the whole group.
    const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    procs.add(p);
    let err = '';
    p.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    p.once('exit', () => procs.delete(p));
    for (let i = 0; i < 200; i++) {
      if (p.exitCode !== null) throw new NetSimError('command_failed', `socat exited: ${err.trim()}`);
      if (await ready()) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new NetSimError('command_failed', `socat did not start: ${err.trim()}`);
  };
  const exists = (path: string) => async () => (await import('node:fs')).existsSync(path);
  const listening = (side: 'a' | 'b' | 'root', port: number) => async () => {
    const args =
      side === 'root' ? ['-ltnH'] : ['netns', 'exec', side === 'a' ? link.a.ns : link.b.ns, 'ss', '-ltnH'];
    const { execFileSync } = await import('node:child_process');
    const out = side === 'root' ? execFileSync('ss', args).toString() : execFileSync('ip', args).toString();
    return out.includes(`:${port} `);
  };
  const socat = (side: 'a' | 'b' | 'root', args: string[]): { cmd: string; args: string[] } =>
    side === 'root' ? { cmd: 'socat', args } : link.execArgs(side, 'socat', args);

  return {
    async across(targetPort, from) {
      const to = from === 'a' ? 'b' : 'a';
      const toIp = to === 'a' ? link.a.ip : link.b.ip;
      const id = n++;
      const inSock = join(dir, `in-${id}.sock`);
      const outSock = join(dir, `out-${id}.sock`);
      const port = linkPort++;
      const rootPort = await freePort();
      // root target <- outSock <- [to] TCP listen on the link address
      let s = socat('root', ['-d', `UNIX-LISTEN:${outSock},fork`, `TCP:127.0.0.1:${targetPort}`]);
      await start(s.cmd, s.args, exists(outSock));
      // TCP_CONGESTION (level 6, option 13) on both ends of the connection that crosses the link.
      const cc = link.congestion ? `,sockopt-string=6:13:${link.congestion}` : '';
      s = socat(to, ['-d', `TCP-LISTEN:${port},bind=${toIp},fork,reuseaddr${cc}`, `UNIX-CONNECT:${outSock}`]);
      await start(s.cmd, s.args, listening(to, port));
      // [from] connects across the veth <- inSock <- root listen port
      s = socat(from, ['-d', `UNIX-LISTEN:${inSock},fork`, `TCP:${toIp}:${port}${cc}`]);
      await start(s.cmd, s.args, exists(inSock));
      s = socat('root', [
        '-d',
        `TCP-LISTEN:${rootPort},bind=127.0.0.1,fork,reuseaddr`,
        `UNIX-CONNECT:${inSock}`,
      ]);
      await start(s.cmd, s.args, listening('root', rootPort));
      return rootPort;
    },
    async expose(targetPort, side, nsPort) {
      const sock = join(dir, `x-${n++}.sock`);
      let s = socat('root', ['-d', `UNIX-LISTEN:${sock},fork`, `TCP:127.0.0.1:${targetPort}`]);
      await start(s.cmd, s.args, exists(sock));
      s = socat(side, ['-d', `TCP-LISTEN:${nsPort},bind=127.0.0.1,fork,reuseaddr`, `UNIX-CONNECT:${sock}`]);
      await start(s.cmd, s.args, listening(side, nsPort));
    },
    async close() {
      const waits = [...procs].map(
        (p) => new Promise<void>((r) => (p.exitCode !== null ? r() : p.once('exit', () => r()))),
      );
      for (const p of procs) {
        try {
          if (p.pid) process.kill(-p.pid, 'SIGKILL');
        } catch {
          p.kill('SIGKILL');
        }
      }
      await Promise.all(waits);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
