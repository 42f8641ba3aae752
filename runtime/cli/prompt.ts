import { createInterface } from 'node:readline';
import type { CliIo } from './command.ts';

/**
 * Asks for a secret on the terminal without echoing it. Only used when stdin is a TTY: a kit run
 * by a service manager must get its passphrase from the environment instead.
 */
export function promptSecret(io: CliIo, question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: io.stdin, output: process.stderr, terminal: true });
    const rlw = rl as unknown as { _writeToOutput: (s: string) => void };
    io.stderr(question);
    rlw._writeToOutput = () => undefined;
    rl.question('', (answer) => {
      io.stderr('\n');
      rl.close();
      resolve(answer);
    });
    rl.on('SIGINT', () => {
      rl.close();
      reject(new Error('passphrase prompt cancelled'));
    });
  });
}
