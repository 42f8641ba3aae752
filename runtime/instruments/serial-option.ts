import type { SerialTransportOptions } from '../../ble-devices/transports/serial/serial-transport.ts';
import type { Transport } from '../../ble-devices/transport.ts';

/** `--serial` read: the options, or why the value is wrong. */
export type SerialOption =
  | { readonly ok: true; readonly options: SerialTransportOptions }
  | { readonly ok: false; readonly message: string };

/**
 * Reads `--serial auto|PATH[,PATH...]`: `auto` looks for CMS50 cables by USB fingerprint,
 * paths are opened as given (ptys from `fieldkit sim cms50` never show in a port listing), and
 * both may be combined (`auto,/tmp/x/usb-...`).
 */
export function parseSerialOption(value: string): SerialOption {
  const parts = value
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  if (parts.length === 0) return { ok: false, message: '--serial expects auto or one or more port paths' };
  const paths = parts.filter((p) => p !== 'auto');
  const bad = paths.find((p) => !p.startsWith('/'));
  if (bad !== undefined)
    return { ok: false, message: `--serial: '${bad}' is neither auto nor an absolute port path` };
  return { ok: true, options: { auto: parts.includes('auto'), paths } };
}

/** Loads the serial transport (and serialport) only when `--serial` was given. */
export async function openSerialTransport(options: SerialTransportOptions): Promise<Transport> {
  const { SerialTransport } = await import('../../ble-devices/transports/serial/serial-transport.ts');
  return new SerialTransport(options);
}
