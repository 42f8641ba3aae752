/**
 * Which blocks of an object are held: one bit per block. Converted to and from the HAVE frame's
 * [first, count] ranges, and stored as bytes beside a partial object.
 */
export class Bitset {
  readonly bits: Uint8Array;
  #count = 0;

  constructor(
    readonly size: number,
    bits?: Uint8Array,
  ) {
    this.bits = new Uint8Array(Math.ceil(size / 8));
    if (bits) {
      this.bits.set(bits.subarray(0, this.bits.byteLength));
      // Bits past `size` in the last byte are never set.
      if (size % 8 !== 0 && this.bits.byteLength > 0)
        this.bits[this.bits.byteLength - 1]! &= (1 << (size % 8)) - 1;
      for (const b of this.bits) this.#count += popcount(b);
    }
  }

  /** Number of set bits. */
  get count(): number {
    return this.#count;
  }

  /** True when every block is held. */
  get full(): boolean {
    return this.#count === this.size;
  }

  has(i: number): boolean {
    return i >= 0 && i < this.size && ((this.bits[i >> 3] ?? 0) & (1 << (i & 7))) !== 0;
  }

  set(i: number): void {
    if (i < 0 || i >= this.size || this.has(i)) return;
    this.bits[i >> 3]! |= 1 << (i & 7);
    this.#count++;
  }

  /** Sets `count` bits from `first`. */
  setRange(first: number, count: number): void {
    for (let i = first; i < first + count; i++) this.set(i);
  }

  /** The first clear bit at or after `from`, or -1. */
  nextClear(from = 0): number {
    for (let i = Math.max(0, from); i < this.size; i++) if (!this.has(i)) return i;
    return -1;
  }

  /** Runs of set bits as [first, count] pairs. */
  ranges(): [number, number][] {
    const out: [number, number][] = [];
    let start = -1;
    for (let i = 0; i <= this.size; i++) {
      const on = i < this.size && this.has(i);
      if (on && start < 0) start = i;
      if (!on && start >= 0) {
        out.push([start, i - start]);
        start = -1;
      }
    }
    return out;
  }

  /** Builds a bitset from ranges, ignoring anything out of bounds. */
  static fromRanges(size: number, ranges: readonly (readonly [number, number])[]): Bitset {
    const b = new Bitset(size);
    for (const [first, count] of ranges) b.setRange(first, Math.min(count, size - first));
    return b;
  }
}

function popcount(b: number): number {
  let n = 0;
  for (let x = b; x; x &= x - 1) n++;
  return n;
}
