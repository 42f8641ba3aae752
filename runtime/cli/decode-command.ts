import { CodecError } from '../../ble-devices/codecs/errors.ts';
import { findCodec, parseHex } from '../../ble-devices/codecs/registry.ts';
import { CliError, type CliCommand } from './command.ts';

/**
 * `fieldkit decode <characteristic> <hex>`: reads instrument bytes by hand, the first tool when a
 * device sends something unexpected. Prints the decoded JSON; a bad frame is one typed line, exit 1.
 */
export const decodeCommand: CliCommand = {
  name: 'decode',
  summary: 'Decode one instrument frame (characteristic UUID or profile name, hex bytes) to JSON',
  usage: '<characteristic> <hex>',
  options: { compact: { type: 'boolean' } },
  optionHelp: { compact: 'Print the JSON on one line' },
  positionals: { min: 2, max: 2 },
  run(args, io) {
    const [characteristic, hex] = args.positionals as [string, string];
    try {
      const codec = findCodec(characteristic);
      const json = codec.toJson(codec.decode(parseHex(hex)));
      io.stdout(JSON.stringify(json, null, args.values.compact === true ? 0 : 2) + '\n');
      return Promise.resolve(0);
    } catch (err) {
      if (err instanceof CodecError) throw new CliError(err.message, 1);
      throw err;
    }
  },
};
