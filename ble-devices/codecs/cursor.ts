import { CodecError } from './errors.ts';

/**
 * Bounds-checked little-endian reader over one frame. Every read names its field, so a short
 * frame fails with a typed error at the exact field instead of reading past the buffer.
 */
export class ByteReader {
  #offset = 0;
  constructor(
    readonly bytes: Uint8Array,
    readonly codec: string,
  ) {}

  /** Bytes consumed so far. */
  get offset(): number {
    return this.#offset;
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.bytes.byteLength - this.#offset;
  }

  /** Consumes `size` bytes for `field` and returns their start offset. */
  take(size: number, field: string): number {
    if (this.remaining < size) {
      throw new CodecError(
        'truncated',
        this.codec,
        field,
        this.#offset,
        `needs ${size} byte(s), ${this.remaining} left`,
      );
    }
    const at = this.#offset;
    this.#offset += size;
    return at;
  }

  u8(field: string): number {
    const at = this.take(1, field);
    return this.bytes[at]!;
  }

  u16(field: string): number {
    const at = this.take(2, field);
    return this.bytes[at]! | (this.bytes[at + 1]! << 8);
  }

  s16(field: string): number {
    const v = this.u16(field);
    return v >= 0x8000 ? v - 0x10000 : v;
  }

  u24(field: string): number {
    const at = this.take(3, field);
    return this.bytes[at]! | (this.bytes[at + 1]! << 8) | (this.bytes[at + 2]! << 16);
  }

  u32(field: string): number {
    const at = this.take(4, field);
    return (
      (this.bytes[at]! |
        (this.bytes[at + 1]! << 8) |
        (this.bytes[at + 2]! << 16) |
        (this.bytes[at + 3]! << 24)) >>>
      0
    );
  }

  /** Returns a copy of the next `size` bytes. */
  slice(size: number, field: string): Uint8Array {
    const at = this.take(size, field);
    return this.bytes.slice(at, at + size);
  }

  /** Fails when bytes are left over: a frame longer than its flags announce is malformed. */
  end(): void {
    if (this.remaining !== 0) {
      throw new CodecError(
        'trailing_bytes',
        this.codec,
        'end',
        this.#offset,
        `${this.remaining} byte(s) beyond the fields the flags announce`,
      );
    }
  }
}

/** Growable little-endian writer; encoders validate ranges and name the field on failure. */
export class ByteWriter {
  #bytes: number[] = [];
  constructor(readonly codec: string) {}

  #check(value: number, min: number, max: number, field: string): void {
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new CodecError(
        'invalid_value',
        this.codec,
        field,
        this.#bytes.length,
        `${value} is outside ${min}..${max}`,
      );
    }
  }

  u8(value: number, field: string): this {
    this.#check(value, 0, 0xff, field);
    this.#bytes.push(value);
    return this;
  }

  u16(value: number, field: string): this {
    this.#check(value, 0, 0xffff, field);
    this.#bytes.push(value & 0xff, value >> 8);
    return this;
  }

  s16(value: number, field: string): this {
    this.#check(value, -0x8000, 0x7fff, field);
    return this.u16(value & 0xffff, field);
  }

  u24(value: number, field: string): this {
    this.#check(value, 0, 0xffffff, field);
    this.#bytes.push(value & 0xff, (value >> 8) & 0xff, value >> 16);
    return this;
  }

  u32(value: number, field: string): this {
    this.#check(value, 0, 0xffffffff, field);
    this.#bytes.push(value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24);
    return this;
  }

  bytes(value: Uint8Array): this {
    for (const b of value) this.#bytes.push(b);
    return this;
  }

  /** Current length, used by encoders to report offsets. */
  get length(): number {
    return this.#bytes.length;
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.#bytes);
  }
}
