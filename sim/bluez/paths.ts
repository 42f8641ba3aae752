/** Object paths and addresses as BlueZ 5.66 names them. */

/** The one simulated controller. */
export const ADAPTER_PATH = '/org/bluez/hci0';

/** `/org/bluez/hci0/dev_C0_12_34_56_78_9A` for `C0:12:34:56:78:9A`. */
export function devicePath(address: string): string {
  return `${ADAPTER_PATH}/dev_${address.toUpperCase().replace(/:/g, '_')}`;
}

/** The address in a device path, or null when the path is not a device of the adapter. */
export function addressOfPath(path: string): string | null {
  const m = /^\/org\/bluez\/hci\d+\/dev_([0-9A-F]{2}(?:_[0-9A-F]{2}){5})$/.exec(path);
  return m ? m[1]!.replace(/_/g, ':') : null;
}

/**
 * A stable random static address for a simulated instrument id (the two top bits set, as the
 * Core spec requires of static addresses), so the same instrument keeps its address across runs.
 */
export function addressForId(id: string): string {
  let h = 0x811c9dc5;
  const bytes: number[] = [];
  for (let round = 0; round < 6; round++) {
    for (const ch of `${id}#${round}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    bytes.push(h & 0xff);
  }
  bytes[0] = (bytes[0]! & 0x3f) | 0xc0;
  return bytes.map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
}

/** True for `AA:BB:CC:DD:EE:FF` spellings. */
export function isAddress(s: string): boolean {
  return /^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}$/.test(s);
}
