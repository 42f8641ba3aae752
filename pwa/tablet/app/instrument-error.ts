import type { TextKey } from '../../shared/i18n/i18n.ts';

/**
 * What went wrong with an instrument, from the kit's `lastError`: the manager passes on the
 * transport's own English text (BlueZ, noble, serial or the simulator), which the feldsher should
 * not have to read. Each kind of failure gets a catalogue message that says what to do; the raw
 * text stays available as a detail for whoever services the kit. Checked in order: the first
 * kind whose pattern matches wins.
 */
const KINDS: readonly (readonly [RegExp, TextKey])[] = [
  // A codec's refusal of a frame (CodecError: "<code>: <codec>.<field> at offset <n>: ...").
  [
    /^(truncated|too_long|trailing_bytes|invalid_value|unknown_codec|bad_hex|unsupported): /,
    'instrumentErrData',
  ],
  [/kit stopping|transport closed/i, 'instrumentErrStopping'],
  [/not paired|key-missing|not_bonded|bond|authenticat|encrypt|insufficient/i, 'instrumentErrBond'],
  [/powered off|adapter is|bluez is not running|d-bus|noble loaded|unavailable/i, 'instrumentErrRadio'],
  [/in use by another program/i, 'instrumentErrBusy'],
  [/no answer in|timed? ?out|timeout/i, 'instrumentErrTimeout'],
  [
    /in range|does not know|no (ble device|instrument|port|serial port|simulated instrument)|not found/i,
    'instrumentErrNotFound',
  ],
  [
    /link los[st]|not connected|disconnect|abort|is not open|connection (lost|reset|refused)/i,
    'instrumentErrLost',
  ],
  [/frame|checksum|crc|malformed|decode/i, 'instrumentErrData'],
];

/** The catalogue message for an instrument's last error (a generic one for text not recognised). */
export function instrumentErrorKey(lastError: string): TextKey {
  for (const [pattern, key] of KINDS) if (pattern.test(lastError)) return key;
  return 'instrumentErrOther';
}
