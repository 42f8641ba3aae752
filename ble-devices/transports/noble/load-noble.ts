import { TransportError } from '../../transport.ts';
import type { NobleLike } from './noble-api.ts';

/** Whether noble can be used here, and why not. */
export type NobleLoad =
  { readonly ok: true; readonly noble: NobleLike } | { readonly ok: false; readonly error: TransportError };

/** How the module is imported; replaceable in tests. */
export type NobleImporter = () => Promise<unknown>;

const importNoble: NobleImporter = () => import('@abandonware/noble');

function describe(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? `${e.code}: ` : '';
  return `${code}${typeof e.message === 'string' ? e.message : String(err)}`;
}

/**
 * Imports @abandonware/noble inside try/catch. On a machine without a Bluetooth socket family
 * (this one: `socket(AF_BLUETOOTH)` fails with EAFNOSUPPORT) the module throws while loading;
 * that becomes an `unavailable` TransportError carrying the cause, never a crash.
 */
export async function loadNoble(importer: NobleImporter = importNoble): Promise<NobleLoad> {
  try {
    const mod = (await importer()) as { default?: unknown };
    const noble = (mod.default ?? mod) as NobleLike;
    if (typeof noble.startScanningAsync !== 'function') {
      return { ok: false, error: new TransportError('unavailable', 'noble loaded without its scanning API') };
    }
    return { ok: true, noble };
  } catch (err) {
    const error = new TransportError('unavailable', `noble cannot run here (${describe(err)})`);
    (error as Error & { cause?: unknown }).cause = err;
    return { ok: false, error };
  }
}
