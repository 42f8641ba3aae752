import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Builds the tablet app once before the suite, so server and browser tests serve the current code. */
export default function setup(): void {
  execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build-pwa.js', import.meta.url))], {
    stdio: 'inherit',
  });
}
