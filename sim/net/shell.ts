import { execFile } from 'node:child_process';

/** A command of the network simulator failed (not root, no `ip netns`, a bad rule). */
export class NetSimError extends Error {
  constructor(
    readonly code: 'not_root' | 'no_netns' | 'command_failed',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'NetSimError';
  }
}

/** Runs one command (no shell), resolving with its stdout; a typed error with its stderr otherwise. */
export function run(cmd: string, args: readonly string[], timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error)
        reject(
          new NetSimError('command_failed', `${cmd} ${args.join(' ')}: ${stderr.trim() || error.message}`, {
            cause: error,
          }),
        );
      else resolve(stdout);
    });
  });
}

/** Why link simulation cannot run here, or undefined when it can (root and `ip netns`). */
export async function netSimUnavailable(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'network namespaces need root (run as root, or skip the link tests)';
  try {
    await run('ip', ['netns', 'list']);
    await run('tc', ['-V']);
    await run('iptables', ['-V']);
  } catch (error) {
    return `ip netns / tc / iptables are not usable here: ${(error as Error).message} (scripts/system-packages.txt installs iproute2 and iptables)`;
  }
  return undefined;
}
