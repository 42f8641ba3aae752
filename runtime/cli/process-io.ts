import type { CliIo } from './command.ts';

/** The real process as a {@link CliIo}; SIGINT/SIGTERM abort `stopSignal` once, a second one exits. */
export function processIo(): CliIo {
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(`\nfieldkit: ${signal} received, shutting down cleanly (again to force)\n`);
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    stdin: process.stdin,
    stopSignal: controller.signal,
    stdoutStream: process.stdout,
    stderrIsTTY: process.stderr.isTTY === true,
  };
}
