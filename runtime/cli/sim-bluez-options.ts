import type { CliOptions } from './command.ts';

/** Flags of `fieldkit sim bluez` (merged into the sim command's flags). */
export const SIM_BLUEZ_OPTIONS: CliOptions = {
  instruments: { type: 'string' },
  passkey: { type: 'string' },
  clock: { type: 'string' },
  faults: { type: 'string' },
  'temporary-timeout-ms': { type: 'string' },
  json: { type: 'boolean' },
};

/** Help lines for those flags. */
export const SIM_BLUEZ_HELP: Readonly<Record<string, string>> = {
  instruments: `bluez: comma-separated instruments (oximeter, bp; repeats allowed), default oximeter,bp`,
  passkey: 'bluez: the 6-digit passkey instruments show when pairing (default: a fresh random one)',
  clock: 'bluez: a wrong device clock: 1970, 2019 or utc',
  faults: 'bluez: connect-abort, no-resolve, reject-passkey (all instruments)',
  'temporary-timeout-ms': 'bluez: unpaired instruments vanish this long after last heard (default 30000)',
  json: 'bluez: one JSON object per line instead of text',
};
