import { spawn } from 'node:child_process';
import { mkdirSync, renameSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { onLines } from './helpers/lines.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Bundles test/store-crash-child.ts next to node_modules (so it resolves the same native
 * packages) and returns its path: a plain `node child.mjs` starts in ~0.2 s where tsx takes ~1 s,
 * which is what lets the crash test kill 50 children within the CI budget.
 */
export async function buildStoreChild(): Promise<string> {
  const dir = `${root}node_modules/.cache/fieldkit-store-child`;
  mkdirSync(dir, { recursive: true });
  // Built under a per-process name, then renamed over one shared file: test files building it
  // at once never see a half-written bundle, and runs do not leave one bundle each behind.
  const outfile = `${dir}/child.mjs`;
  const temp = `${dir}/child-${process.pid}.tmp.mjs`;
  await build({
    entryPoints: [`${root}test/store-crash-child.ts`],
    outfile: temp,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'silent',
  });
  renameSync(temp, outfile);
  return outfile;
}

/**
 * When {@link runStoreChild} SIGKILLs the writer: a time after it is ready, or once `afterAcks`
 * acknowledgements arrived (then `thenMs` later, if given). Counting acknowledgements first
 * makes a kill land during ingest however slow a loaded machine makes the start.
 */
export type KillWhen = { afterReadyMs: number } | { afterAcks: number; thenMs?: number };

/**
 * Runs the bundled writer on `dir`, numbering its readings from `start`, and SIGKILLs it at the
 * given moment. Resolves with the acknowledged ids and their reading numbers; rejects if the
 * child exits any other way (with its stderr).
 */
export function runStoreChild(
  bundle: string,
  dir: string,
  start: number,
  when: KillWhen,
): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle, dir, String(start)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked = new Map<string, number>();
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    onLines(child.stdout, (line) => {
      if (line === 'ready') {
        if ('afterReadyMs' in when) timer ??= setTimeout(() => child.kill('SIGKILL'), when.afterReadyMs);
        return;
      }
      const [id, n] = line.split(' ');
      if (!id || !n) return;
      acked.set(id, Number(n));
      if ('afterAcks' in when && acked.size >= when.afterAcks) {
        if (when.thenMs === undefined) child.kill('SIGKILL');
        else timer ??= setTimeout(() => child.kill('SIGKILL'), when.thenMs);
      }
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`writer exited early (${code}): ${stderr}`));
      else resolve(acked);
    });
  });
}
