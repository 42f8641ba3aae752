/**
 * A process that takes a data directory's kit.pid (store/kit-lock.ts) and stays alive, so tests
 * have a live holder other than the test process. Run with `node --import tsx`:
 * `kit-lock-child.ts <dir> [<epoch ms to wait for>]`; prints `held` or `refused`, then waits to be
 * killed (never releasing).
 */
import { acquireKitLock } from '../../store/kit-lock.ts';
import { isStoreError } from '../../store/errors.ts';

const [dir, at] = process.argv.slice(2);
if (!dir) throw new Error('usage: kit-lock-child.ts <dir> [<epoch ms>]');
// Racers busy-wait for one shared instant so their attempts overlap.
while (at !== undefined && Date.now() < Number(at)) {
  /* spin */
}
try {
  acquireKitLock(dir, 'start');
  process.stdout.write('held\n');
} catch (error) {
  if (!isStoreError(error, 'in_use')) throw error;
  process.stdout.write('refused\n');
}
setInterval(() => undefined, 1 << 30);
