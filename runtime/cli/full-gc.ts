import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined;

/**
 * A full garbage collection, for a process that does one long job and nothing else (`fieldkit
 * export`): V8 lets dead objects pile up in its old generation until its own next full
 * collection, so a 10,000-visit export's peak RSS grew with the store although what it holds
 * stays flat. The CLI's process was not started with --expose-gc, so the flag is set at run time
 * and `gc` taken from a fresh context (the flag applies to contexts created after it is set).
 * Never called by the kit's server; the leak tests use it too (test/helpers/leak-probe.ts).
 */
export function fullGc(): void {
  if (!collect) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (exposed) collect = exposed;
    else {
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as () => void;
    }
  }
  collect();
}
