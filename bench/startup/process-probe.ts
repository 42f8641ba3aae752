import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** A free loopback port, chosen before the process under test starts so polling can begin at once. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/** Spawns a process and measures wall time until `url` first answers HTTP 200. */
export async function timeToFirst200(
  args: string[],
  env: NodeJS.ProcessEnv,
  url: string,
  timeoutMs = 30_000,
): Promise<{ ms: number; child: ChildProcess }> {
  const start = performance.now();
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`process exited (${child.exitCode}) before answering: ${stderr}`);
    if (performance.now() - start > timeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`no HTTP 200 from ${url} within ${timeoutMs} ms`);
    }
    try {
      const res = await fetch(url);
      if (res.status === 200) return { ms: performance.now() - start, child };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Resident set size of a live process in MiB (Linux /proc). */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) / 1024;
}

/** Stops a child with SIGTERM and waits for it. */
export function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
