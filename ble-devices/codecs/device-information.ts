import { defineCodec, type Codec } from './codec.ts';
import { ByteReader, ByteWriter } from './cursor.ts';
import { CodecError } from './errors.ts';

/** PnP ID (0x2A50): keys per-model quirks and fills FHIR Device (DEVICES.md 7.1). */
export interface PnpId {
  readonly vendorIdSource: number;
  readonly vendorId: number;
  readonly productId: number;
  readonly productVersion: number;
}

const VENDOR_SOURCES = ['reserved', 'bluetooth_sig', 'usb_if'] as const;

/** Codec for 0x2A50 (7 bytes). */
export const pnpId = defineCodec<PnpId>({
  name: 'pnp_id',
  version: '1.0.0',
  uuid: 0x2a50,
  maxBytes: 7,
  decode(bytes) {
    const r = new ByteReader(bytes, 'pnp_id');
    const vendorIdSource = r.u8('vendor_id_source');
    const vendorId = r.u16('vendor_id');
    const productId = r.u16('product_id');
    const productVersion = r.u16('product_version');
    r.end();
    return { vendorIdSource, vendorId, productId, productVersion };
  },
  encode(m) {
    return new ByteWriter('pnp_id')
      .u8(m.vendorIdSource, 'vendor_id_source')
      .u16(m.vendorId, 'vendor_id')
      .u16(m.productId, 'product_id')
      .u16(m.productVersion, 'product_version')
      .finish();
  },
  toJson(m) {
    return {
      vendor_id_source: m.vendorIdSource,
      vendor_id_source_name: VENDOR_SOURCES[m.vendorIdSource] ?? 'reserved',
      vendor_id: m.vendorId,
      product_id: m.productId,
      product_version: m.productVersion,
    };
  },
});

/** System ID (0x2A23): 40-bit manufacturer-defined id + 24-bit OUI. */
export interface SystemId {
  readonly manufacturerId: number;
  readonly oui: number;
}

/** Codec for 0x2A23 (8 bytes). */
export const systemId = defineCodec<SystemId>({
  name: 'system_id',
  version: '1.0.0',
  uuid: 0x2a23,
  maxBytes: 8,
  decode(bytes) {
    const r = new ByteReader(bytes, 'system_id');
    const low = r.u32('manufacturer_id');
    const manufacturerId = r.u8('manufacturer_id') * 2 ** 32 + low;
    const oui = r.u24('oui');
    r.end();
    return { manufacturerId, oui };
  },
  encode(m) {
    const w = new ByteWriter('system_id');
    if (!Number.isInteger(m.manufacturerId) || m.manufacturerId < 0 || m.manufacturerId >= 2 ** 40) {
      throw new CodecError(
        'invalid_value',
        'system_id',
        'manufacturer_id',
        0,
        `${m.manufacturerId} is not uint40`,
      );
    }
    w.u32(m.manufacturerId % 2 ** 32, 'manufacturer_id').u8(
      Math.floor(m.manufacturerId / 2 ** 32),
      'manufacturer_id',
    );
    return w.u24(m.oui, 'oui').finish();
  },
  toJson(m) {
    return { manufacturer_id: m.manufacturerId, oui: m.oui };
  },
});

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Out = new TextEncoder();

function stringCodec(name: string, uuid: number): Codec<string> {
  return defineCodec<string>({
    name,
    version: '1.0.0',
    uuid,
    maxBytes: 512,
    decode(bytes) {
      // Some firmwares pad with NULs; the spec string has no terminator, so strip them.
      let end = bytes.byteLength;
      while (end > 0 && bytes[end - 1] === 0) end--;
      try {
        return utf8.decode(bytes.subarray(0, end));
      } catch {
        throw new CodecError('invalid_value', name, 'value', 0, 'not valid UTF-8');
      }
    },
    encode(value) {
      const bytes = utf8Out.encode(value);
      if (bytes.byteLength > 512)
        throw new CodecError('too_long', name, 'value', 0, `${bytes.byteLength} > 512 bytes`);
      return bytes;
    },
    toJson(value) {
      return { value };
    },
  });
}

/** DIS UTF-8 strings, used for FHIR Device and the per-model quirk table. */
export const manufacturerName = stringCodec('manufacturer_name_string', 0x2a29);
/** See {@link manufacturerName}. */
export const modelNumber = stringCodec('model_number_string', 0x2a24);
/** See {@link manufacturerName}. */
export const serialNumber = stringCodec('serial_number_string', 0x2a25);
/** See {@link manufacturerName}. */
export const hardwareRevision = stringCodec('hardware_revision_string', 0x2a27);
/** See {@link manufacturerName}. */
export const firmwareRevision = stringCodec('firmware_revision_string', 0x2a26);
/** See {@link manufacturerName}. */
export const softwareRevision = stringCodec('software_revision_string', 0x2a28);
