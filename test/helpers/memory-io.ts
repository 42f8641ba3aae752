import { PassThrough } from 'node:stream';
import type { CliIo } from '../../runtime/cli/command.ts';

/** A CliIo that records output, for running commands in process. */
export function memoryIo(
  env: Record<string, string | undefined> = {},
): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    env,
    stdin: new PassThrough(),
    stopSignal: new AbortController().signal,
    out: () => out,
    err: () => err,
  };
}
