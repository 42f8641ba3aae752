import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./channel-clients-child.ts', import.meta.url));

/** Tablets connected to the live channel in another process; `stop()` says how many events they read. */
export interface ChannelClients {
  stop(): Promise<number>;
}

/**
 * `count` tablets paired and reading the kit's live channel that paint nothing, in a child
 * process (channel-clients-child.ts). Why: "10 tablets connected" costs the kit ten channels
 * (ten TLS streams, ten writes of every event), which these carry exactly; but ten tablets'
 * rendering happens on ten tablets' CPUs, not on the kit's. With these beside one drawing tablet
 * the kit serves ten tablets while the machine renders one, as in a house; the bench still
 * reports ten drawing Chromium tablets on this machine's two cores beside it.
 */
export async function startChannelClients(
  kit: { readonly url: string; readonly caPem: string; pairingCode(): Promise<string> },
  count: number,
): Promise<ChannelClients> {
  const codes: string[] = [];
  for (let i = 0; i < count; i++) codes.push(await kit.pairingCode());
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const next = () =>
    new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`channel clients exited (${code})`)));
    });
  const ready = next();
  child.stdin.write(`${JSON.stringify({ url: kit.url, caPem: kit.caPem, codes })}\n`);
  const said = await ready;
  if (said !== `ready ${count}`) throw new Error(`channel clients: ${said}`);
  return {
    async stop() {
      const done = next();
      child.stdin.end();
      const last = await done;
      const m = /^events (\d+)$/.exec(last);
      if (!m) throw new Error(`channel clients: ${last}`);
      return Number(m[1]);
    },
  };
}
