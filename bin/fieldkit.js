#!/usr/bin/env node
// The `fieldkit` executable: registers the TypeScript loader, then hands over to runtime/cli/main.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../runtime/cli/main.ts');
const { processIo } = await import('../runtime/cli/process-io.ts');
const io = processIo();
try {
  process.exitCode = await main(process.argv.slice(2), io);
} catch (err) {
  process.stderr.write(
    `fieldkit: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exitCode = 1;
}
