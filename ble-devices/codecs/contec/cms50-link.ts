import { defineCodec } from '../codec.ts';
import { ByteReader, ByteWriter } from '../cursor.ts';
import { CodecError } from '../errors.ts';
import type { ContecGeneration } from './stream-parser.ts';

/**
 * How the serial transport presents a CMS50 oximeter as a GATT-like link, so the instrument
 * manager and drivers treat a USB cable like any BLE instrument. The kit defines these 128-bit
 * UUIDs itself (prefix `5e71a1`, "serial"); they never appear on air.
 *
 * | UUID        | properties | value                                                           |
 * |-------------|------------|-----------------------------------------------------------------|
 * | `…a100`     | service    | Contec CMS50 on a serial port                                   |
 * | `…a101`     | notify     | one validated frame per notification, bytes exactly as received |
 * |             |            | (5-byte live, 9-byte live or 9-byte playback)                   |
 * | `…a102`     | read       | the link: {@link Cms50LinkInfo}, 12 bytes                       |
 * | `…a103`     | write      | one command, `contec_command` bytes of the link's generation    |
 * | `…a104`     | read       | UTF-8 JSON counters of the port (bytes, frames, noise, losses)  |
 *
 * The 9-byte generation's keep-alive (0xAF) is sent by the transport, not by drivers: like BLE
 * link supervision it belongs to the link.
 */
export const CMS50_SERIAL = {
  service: '5e71a100-c0de-4c50-8000-000000000000',
  frames: '5e71a101-c0de-4c50-8000-000000000000',
  link: '5e71a102-c0de-4c50-8000-000000000000',
  command: '5e71a103-c0de-4c50-8000-000000000000',
  stats: '5e71a104-c0de-4c50-8000-000000000000',
} as const;

/** The line a port was opened with, and the USB bridge it sits on (0 when not a USB port). */
export interface Cms50LinkInfo {
  readonly generation: ContecGeneration;
  readonly baudRate: number;
  readonly dataBits: 7 | 8;
  readonly parity: 'none' | 'odd' | 'even';
  readonly stopBits: 1 | 2;
  readonly usbVendorId: number;
  readonly usbProductId: number;
}

const NAME = 'cms50_serial_link';
const PARITY = ['none', 'odd', 'even'] as const;
/** Link info length in bytes. */
export const CMS50_LINK_INFO_BYTES = 12;

/**
 * Codec for the link characteristic: `gen(5|9) baud(u32) dataBits parity(0 none,1 odd,2 even)
 * stopBits vid(u16) pid(u16)`, little-endian.
 */
export const cms50LinkInfo = defineCodec<Cms50LinkInfo>({
  name: NAME,
  version: '1.0.0',
  uuid: null,
  maxBytes: CMS50_LINK_INFO_BYTES,
  decode(bytes) {
    const r = new ByteReader(bytes, NAME);
    const gen = r.u8('generation');
    if (gen !== 5 && gen !== 9)
      throw new CodecError('invalid_value', NAME, 'generation', 0, `${gen} is not 5 or 9`);
    const baudRate = r.u32('baud_rate');
    const dataBits = r.u8('data_bits');
    if (dataBits !== 7 && dataBits !== 8)
      throw new CodecError('invalid_value', NAME, 'data_bits', 5, `${dataBits}`);
    const parity = PARITY[r.u8('parity')];
    if (!parity) throw new CodecError('invalid_value', NAME, 'parity', 6, 'expected 0, 1 or 2');
    const stopBits = r.u8('stop_bits');
    if (stopBits !== 1 && stopBits !== 2)
      throw new CodecError('invalid_value', NAME, 'stop_bits', 7, `${stopBits}`);
    const usbVendorId = r.u16('usb_vendor_id');
    const usbProductId = r.u16('usb_product_id');
    r.end();
    return {
      generation: gen === 5 ? '5byte' : '9byte',
      baudRate,
      dataBits,
      parity,
      stopBits,
      usbVendorId,
      usbProductId,
    };
  },
  encode(m) {
    return new ByteWriter(NAME)
      .u8(m.generation === '5byte' ? 5 : 9, 'generation')
      .u32(m.baudRate, 'baud_rate')
      .u8(m.dataBits, 'data_bits')
      .u8(PARITY.indexOf(m.parity), 'parity')
      .u8(m.stopBits, 'stop_bits')
      .u16(m.usbVendorId, 'usb_vendor_id')
      .u16(m.usbProductId, 'usb_product_id')
      .finish();
  },
  toJson(m) {
    const hex = (n: number) => n.toString(16).padStart(4, '0');
    return {
      generation: m.generation,
      line: `${m.baudRate} ${m.dataBits}${m.parity[0]!.toUpperCase()}${m.stopBits}`,
      usb: m.usbVendorId === 0 ? null : `${hex(m.usbVendorId)}:${hex(m.usbProductId)}`,
    };
  },
});

/** Line settings of each generation (DEVICES.md 9.1: 19200 8O1 for the 5-byte stream, 115200 8N1 for v7). */
export const CMS50_LINE: Readonly<
  Record<ContecGeneration, Pick<Cms50LinkInfo, 'baudRate' | 'dataBits' | 'parity' | 'stopBits'>>
> = {
  '9byte': { baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1 },
  '5byte': { baudRate: 19200, dataBits: 8, parity: 'odd', stopBits: 1 },
};
