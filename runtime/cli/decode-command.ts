import { CodecError } from '../../ble-devices/codecs/errors.ts';
import { findCodec, parseHex } from '../../ble-devices/codecs/registry.ts';
import { CliError, type CliArgs, type CliIo } from './command.ts';

/** The implementation of `fieldkit decode` (metadata and purpose: commands.ts). */
export function runDecode(args: CliArgs, io: CliIo): Promise<number> {
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
}
