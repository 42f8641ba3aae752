import type { Readable } from 'node:stream';

/**
 * Calls `onLine` for every complete line a child process writes (chunks split lines anywhere), so
 * tests that read a child's acknowledgements share one reassembly instead of each restating it.
 */
export function onLines(stream: Readable, onLine: (line: string) => void): void {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
}
