import type { CliOptions } from './command.ts';

/** Flags of `fieldkit sim cms50`, kept apart so the sim command lists them without loading serialport. */
export const CMS50_OPTIONS: CliOptions = {
  protocol: { type: 'string' },
  noise: { type: 'string' },
  partial: { type: 'string' },
  'keepalive-loss': { type: 'boolean' },
  baud: { type: 'string' },
  'no-device': { type: 'boolean' },
  dir: { type: 'string' },
  name: { type: 'string' },
  duration: { type: 'string' },
};

/** One help line per cms50 flag. */
export const CMS50_OPTION_HELP: Readonly<Record<string, string>> = {
  protocol:
    'cms50: 5byte (19200 8O1, streams unasked) or v7 (115200, 9-byte commands, needs keep-alives); default 5byte',
  noise: 'cms50: probability 0..1 per frame of random bytes before it',
  partial: 'cms50: probability 0..1 that a frame loses its tail',
  'keepalive-loss': 'cms50 v7: the device never hears keep-alives, so it stops streaming after 5 s',
  baud: "cms50: the device's real line speed (a mismatch with the protocol's garbles the line)",
  'no-device': 'cms50: a cable with no oximeter on it (the port exists, nothing answers)',
  dir: 'cms50: folder for the pty link (default a new temporary folder)',
  name: 'cms50: file name of the pty link (default a CP2102 by-id style name)',
  duration: 'cms50: stop after this many seconds (default: until Ctrl-C)',
};
