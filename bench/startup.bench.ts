import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { timeToExit } from './startup/process-exit.ts';
import { freePort, rssMb, stop, timeToFirst200 } from './startup/process-probe.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * Startup cost of the kit as a user meets it: `fieldkit start` on an existing encrypted store
 * (Argon2id unlock with the production parameters, simulated instruments, HTTP) until the first
 * HTTP 200, next to the smallest Hono server on the same runtime and loader; then the kit's
 * resident memory after it idles with the simulated instruments streaming. Then the cost of a
 * short command as a whole process: `fieldkit decode` on one frame (node + the TypeScript loader +
 * the CLI + every codec, and nothing else: commands load lazily) against `node -e 0`, the floor
 * any Node command pays, alternating the two so machine load hits both alike.
 */
export default async function run(opts: { quick: boolean }): Promise<Record<string, number>> {
  const base = mkdtempSync(join(tmpdir(), 'fieldkit-bench-startup-'));
  const dataDir = join(base, 'data');
  const env = { ...process.env, FIELDKIT_DATA: dataDir, FIELDKIT_PASSPHRASE: 'bench-startup-passphrase' };
  const rounds = opts.quick ? 1 : 5;
  const idleMs = opts.quick ? 2000 : 10_000;
  try {
    const kitArgs = (port: number) => [
      join(ROOT, 'bin/fieldkit.js'),
      'start',
      '--port',
      String(port),
      '--log-level',
      'warn',
    ];
    // First run creates the store (key generation); it is not what a kit pays at each boot.
    {
      const port = await freePort();
      const { child } = await timeToFirst200(kitArgs(port), env, `http://127.0.0.1:${port}/api/health`);
      await stop(child);
    }
    const kit: number[] = [];
    const baseline: number[] = [];
    let idleRss = 0;
    for (let i = 0; i < rounds; i++) {
      const port = await freePort();
      const started = await timeToFirst200(kitArgs(port), env, `http://127.0.0.1:${port}/api/health`);
      kit.push(started.ms);
      if (i === rounds - 1) {
        await new Promise((r) => setTimeout(r, idleMs));
        idleRss = rssMb(started.child.pid!);
      }
      await stop(started.child);
      const bport = await freePort();
      const peer = await timeToFirst200(
        ['--import', 'tsx', join(ROOT, 'bench/startup/baseline-server.ts'), String(bport)],
        process.env,
        `http://127.0.0.1:${bport}/api/health`,
      );
      baseline.push(peer.ms);
      await stop(peer.child);
    }
    const decode: number[] = [];
    const bareNode: number[] = [];
    const decodeArgs = [join(ROOT, 'bin/fieldkit.js'), 'decode', '2A5F', '00 64 00 5A 00'];
    await timeToExit(decodeArgs); // warms the loader's transform cache, as any second run finds it
    for (let i = 0; i < (opts.quick ? 3 : 11); i++) {
      bareNode.push(await timeToExit(['-e', '0']));
      decode.push(await timeToExit(decodeArgs));
    }
    const coldStart = median(kit);
    const peerStart = median(baseline);
    return {
      cold_start_ms: Math.round(coldStart),
      idle_rss_mb: Math.round(idleRss * 10) / 10,
      baseline_hono_cold_start_ms: Math.round(peerStart),
      cold_start_vs_baseline_ratio: Math.round((coldStart / peerStart) * 100) / 100,
      cli_decode_ms: Math.round(median(decode)),
      node_bare_ms: Math.round(median(bareNode)),
      cli_decode_vs_node_ratio: Math.round((median(decode) / median(bareNode)) * 100) / 100,
    };
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
