import type { CliIo } from './command.ts';

/**
 * Asks for a secret on the terminal without echoing it (raw mode, backspace honoured, Ctrl-C
 * cancels). Only used when stdin is a TTY: a kit run by a service manager gets its passphrase
 * from the environment instead.
 */
export function promptSecret(io: CliIo, question: string): Promise<string> {
  const stdin = io.stdin as NodeJS.ReadStream;
  return new Promise((resolve, reject) => {
    let answer = '';
    io.stderr(question);
    const done = (fn: () => void): void => {
      stdin.off('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      io.stderr('\n');
      fn();
    };
    const onData = (chunk: Buffer | string): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(() => resolve(answer));
        if (ch === '\u0003' || ch === '\u0004')
          return done(() => reject(new Error('passphrase prompt cancelled')));
        if (ch === '\u007f' || ch === '\b') answer = [...answer].slice(0, -1).join('');
        else if (ch >= ' ') answer += ch;
      }
    };
    stdin.setRawMode?.(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}
