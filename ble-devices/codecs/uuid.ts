/**
 * Bluetooth UUID normalisation. Stacks show SIG UUIDs as `0x2A37`, `2a37` or the 128-bit
 * `00002a37-0000-1000-8000-00805f9b34fb`; everything inside the kit compares the short form.
 */

const BASE_SUFFIX = '-0000-1000-8000-00805f9b34fb';

/** Returns the 16-bit SIG number for a UUID in any of its spellings, or null for a vendor UUID. */
export function shortUuid(uuid: string): number | null {
  const s = uuid.trim().toLowerCase().replace(/^0x/, '');
  if (/^[0-9a-f]{4}$/.test(s)) return parseInt(s, 16);
  if (/^0000[0-9a-f]{4}-0000-1000-8000-00805f9b34fb$/.test(s)) return parseInt(s.slice(4, 8), 16);
  if (/^[0-9a-f]{8}$/.test(s) && s.startsWith('0000')) return parseInt(s.slice(4), 16);
  return null;
}

/** The canonical short spelling ('2a37') used as map keys across transports. */
export function uuidKey(uuid: string | number): string {
  if (typeof uuid === 'number') return uuid.toString(16).padStart(4, '0');
  const short = shortUuid(uuid);
  return short === null ? uuid.trim().toLowerCase() : short.toString(16).padStart(4, '0');
}

/** The 128-bit form BlueZ exposes over D-Bus. */
export function longUuid(uuid: string | number): string {
  const key = uuidKey(uuid);
  return key.length === 4 ? `0000${key}${BASE_SUFFIX}` : key;
}
