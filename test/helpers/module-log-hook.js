// Preloaded with `node --import ./test/helpers/module-log-hook.js` (FIELDKIT_MODULE_LOG=<file>):
// appends the URL of every module the process loads to that file, one per line, so a test can
// prove which modules a command pulls in (e.g. `fieldkit decode` loads no store and no simulator).
import { register } from 'node:module';

const hook = `
import { appendFileSync } from 'node:fs';
const file = process.env.FIELDKIT_MODULE_LOG;
export async function load(url, context, next) {
  if (file) appendFileSync(file, url + '\\n');
  return next(url, context);
}`;
register('data:text/javascript,' + encodeURIComponent(hook));
