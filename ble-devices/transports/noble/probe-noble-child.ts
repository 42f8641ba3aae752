import { openNobleTransport } from './noble-transport.ts';

// Run in a child process by noble-transport.test.ts: loads noble the way the kit does, waits a
// moment for late asynchronous errors, and prints what it found. Any crash shows as a non-zero exit.
const r = await openNobleTransport({ powerOnTimeoutMs: 200 });
await new Promise((resolve) => setTimeout(resolve, 300));
process.stdout.write(
  JSON.stringify(
    r.state === 'unavailable'
      ? { state: r.state, code: r.error.code, message: r.error.message }
      : { state: r.state },
  ) + '\n',
);
