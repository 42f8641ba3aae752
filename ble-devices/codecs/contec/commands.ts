import { defineCodec, type JsonObject } from '../codec.ts';
import { ByteReader, ByteWriter } from '../cursor.ts';
import { CodecError } from '../errors.ts';
import { FRAME9_LENGTH } from './frame-9byte.ts';

/**
 * Host-to-oximeter commands of the newer generation: `7D 81 <cmd> 80 80 80 80 80 80`
 * (DEVICES.md 9.1 B; names from tobac/cms50ew and headrotor, [likely]).
 */
export const CONTEC_COMMANDS: Readonly<Record<number, string>> = {
  0xa0: 'hello_3',
  0xa1: 'start_live_stream',
  0xa2: 'hello_2',
  0xa3: 'get_session_count',
  0xa4: 'get_session_duration',
  0xa5: 'get_session_time',
  0xa6: 'start_stored_playback',
  0xa7: 'hello_1',
  0xa8: 'get_model',
  0xa9: 'get_vendor',
  0xaa: 'get_device_id',
  0xab: 'get_user_info',
  0xad: 'session_hello',
  0xae: 'erase_session',
  0xaf: 'keep_alive',
  0xb0: 'get_info',
};

/** Older-generation stored-download commands (atbrask): raw byte strings, no framing. */
export const LEGACY_COMMANDS: Readonly<Record<string, readonly number[]>> = {
  legacy_download_start: [0xf5, 0xf5],
  legacy_download_stop: [0xf6, 0xf6, 0xf6],
};

/** A command as the kit sends it (drivers) or a simulated oximeter receives it. */
export type ContecCommand =
  | { readonly generation: '9byte'; readonly code: number }
  | { readonly generation: '5byte'; readonly name: keyof typeof LEGACY_COMMANDS };

const NAME = 'contec_command';

function legacyName(bytes: Uint8Array): string | undefined {
  return Object.keys(LEGACY_COMMANDS).find((k) => {
    const seq = LEGACY_COMMANDS[k]!;
    return seq.length === bytes.length && seq.every((b, i) => bytes[i] === b);
  });
}

/** Codec for a command, either generation. Unknown 9-byte command codes decode with name `unknown`. */
export const contecCommand = defineCodec<ContecCommand>({
  name: NAME,
  version: '1.0.0',
  uuid: null,
  maxBytes: FRAME9_LENGTH,
  decode(bytes) {
    const legacy = legacyName(bytes);
    if (legacy !== undefined) return { generation: '5byte', name: legacy };
    const r = new ByteReader(bytes, NAME);
    if (r.u8('sync') !== 0x7d) throw new CodecError('invalid_value', NAME, 'sync', 0, 'expected 0x7D');
    if (r.u8('prefix') !== 0x81) throw new CodecError('invalid_value', NAME, 'prefix', 1, 'expected 0x81');
    const code = r.u8('command');
    if (code < 0x80) throw new CodecError('invalid_value', NAME, 'command', 2, 'bit 7 clear');
    for (let i = 3; i < FRAME9_LENGTH; i++) {
      if (r.u8(`padding${i}`) !== 0x80)
        throw new CodecError('invalid_value', NAME, `padding${i}`, i, 'expected 0x80');
    }
    r.end();
    return { generation: '9byte', code };
  },
  encode(c) {
    const w = new ByteWriter(NAME);
    if (c.generation === '5byte') return Uint8Array.from(LEGACY_COMMANDS[c.name] ?? []);
    if (c.code < 0x80) throw new CodecError('invalid_value', NAME, 'command', 2, 'bit 7 clear');
    w.u8(0x7d, 'sync').u8(0x81, 'prefix').u8(c.code, 'command');
    for (let i = 3; i < FRAME9_LENGTH; i++) w.u8(0x80, `padding${i}`);
    return w.finish();
  },
  toJson(c): JsonObject {
    if (c.generation === '5byte') return { generation: '5byte', command: c.name };
    return { generation: '9byte', command: CONTEC_COMMANDS[c.code] ?? 'unknown', code: c.code };
  },
});
