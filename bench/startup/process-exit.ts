import { spawn } from 'node:child_process';

/**
 * Wall time of one whole process, from spawn until it exits: what a user waits for when a
 * short command (`fieldkit decode ...`) runs. Rejects when the process fails, so a broken
 * command is never timed as a fast one.
 */
export function timeToExit(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const start = performance.now();
  const child = spawn(process.execPath, [...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(performance.now() - start);
      else reject(new Error(`${args.join(' ')} exited ${code}: ${stderr}`));
    });
  });
}
