/**
 * Child process of the crash test: writes observations as fast as the pipeline would (many
 * single-reading calls in flight) and prints "<id> <n>" for each one only after the store
 * acknowledged it. The parent SIGKILLs it at a random moment.
 */
import { openStore } from '../store/index.ts';
import { TEST_KDF, sampleObservation } from '../store/testing.ts';

const [path, startArg] = process.argv.slice(2);
if (!path) throw new Error('usage: store-crash-child <dir> <start>');
const store = await openStore({ path, passphrase: 'crash-test', kdf: TEST_KDF });
let n = Number(startArg ?? '0');
const inFlight = new Set<Promise<void>>();
process.stdout.write('ready\n');
for (;;) {
  while (inFlight.size < 400) {
    const i = n++;
    const input = {
      ...sampleObservation(i, `visit-${i % 7}`),
      value: { kind: 'quantity' as const, value: i, precision: 0, unit: '%' },
    };
    const p = store.addObservations([input]).then(([record]) => {
      process.stdout.write(`${record?.id ?? '?'} ${i}\n`);
    });
    const tracked = p.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  }
  await Promise.race(inFlight);
}
