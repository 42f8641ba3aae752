import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onLines } from './lines.ts';
import { openStore } from '../../store/index.ts';
import { KitClient, pairTablet } from './kit-client.ts';
import { X509Certificate } from 'node:crypto';

const BIN = fileURLToPath(new URL('../../bin/fieldkit.js', import.meta.url));

/** A `fieldkit start` process as a user runs it, with its URL, its log lines and its exit. */
export interface KitProcess {
  readonly child: ChildProcess;
  /** The onboarding URL the kit printed (`Open: http://…`). */
  readonly url: Promise<string>;
  /** The tablet app's URL the kit printed (`Tablets: https://…`). */
  readonly tabletUrl: Promise<string>;
  /** Every stderr line so far (JSON log records when stderr is not a terminal). */
  readonly logLines: string[];
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Spawns `fieldkit start --port 0 --https-port 0 …extraArgs` on `dataDir` with the passphrase in
 * the environment.
 */
export function spawnKit(dataDir: string, passphrase: string, extraArgs: readonly string[] = []): KitProcess {
  const child = spawn(process.execPath, [BIN, 'start', '--port', '0', '--https-port', '0', ...extraArgs], {
    env: { ...process.env, FIELDKIT_DATA: dataDir, FIELDKIT_PASSPHRASE: passphrase },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logLines: string[] = [];
  onLines(child.stderr, (line) => logLines.push(line));
  const printed = (pattern: RegExp) => {
    const p = new Promise<string>((resolve, reject) => {
      onLines(child.stdout, (line) => {
        const m = pattern.exec(line);
        if (m) resolve(m[1]!);
      });
      child.once('exit', () => reject(new Error(`exited before printing a URL: ${logLines.join('\n')}`)));
    });
    p.catch(() => undefined);
    return p;
  };
  const url = printed(/^Open: (http:\/\/\S+)/);
  const tabletUrl = printed(/^Tablets: (https:\/\/\S+)/);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, url, tabletUrl, logLines, exit };
}

/** The kit's JSON log records (lines that are not JSON, e.g. a native library's, are skipped). */
export function logRecords(
  lines: readonly string[],
): Array<{ level: number; msg: string } & Record<string, unknown>> {
  return lines.flatMap((l) => {
    try {
      const rec = JSON.parse(l) as unknown;
      return rec && typeof rec === 'object' && 'msg' in rec ? [rec as { level: number; msg: string }] : [];
    } catch {
      return [];
    }
  });
}

/**
 * Pairs a test tablet with a running kit process as a brigade would: fetches the CA from the
 * onboarding listener (plain HTTP), asks the kit's store for a one-time code from this process
 * (a second process on the same store, as `fieldkit tablets pair-code` does), and redeems it over
 * HTTPS. Returns a client trusting the kit's CA, the token, and a spare code for a browser.
 */
export async function pairWithKitProcess(
  kit: Pick<KitProcess, 'url' | 'tabletUrl'>,
  dataDir: string,
  passphrase: string,
): Promise<{ client: KitClient; token: string; browserCode: string; caPem: string }> {
  const onboarding = await kit.url;
  const der = Buffer.from(await (await fetch(`${onboarding}fieldkit-ca.crt`)).arrayBuffer());
  const caPem = new X509Certificate(der).toString();
  const client = new KitClient(await kit.tabletUrl, caPem);
  const store = await openStore({ path: dataDir, passphrase, actor: 'test' });
  try {
    const token = await pairTablet(client, store);
    const { code: browserCode } = await store.createPairingCode({ role: 'feldsher', createdBy: 'test' });
    return { client, token, browserCode, caPem };
  } finally {
    await store.close();
  }
}

/** A `fieldkit start` process whose exit also carries everything it wrote on stderr. */
export interface StartedKit {
  readonly child: ChildProcess;
  readonly url: Promise<string>;
  readonly tabletUrl: Promise<string>;
  readonly exit: Promise<{ code: number | null; stderr: string }>;
}

/** {@link spawnKit} logging only warnings, its exit with its stderr (for messages to the user). */
export function startKit(dataDir: string, passphrase: string, extraArgs: readonly string[] = []): StartedKit {
  const kit = spawnKit(dataDir, passphrase, ['--log-level', 'warn', ...extraArgs]);
  const exit = kit.exit.then(({ code }) => ({ code, stderr: kit.logLines.join('\n') }));
  return { child: kit.child, url: kit.url, tabletUrl: kit.tabletUrl, exit };
}

/** Runs one `fieldkit` command as a process to its end (extra environment variables in `env`). */
export function runCli(
  args: string[],
  dataDir: string,
  passphrase: string,
  env: Readonly<Record<string, string>> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, FIELDKIT_DATA: dataDir, FIELDKIT_PASSPHRASE: passphrase, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}
