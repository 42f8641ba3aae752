/**
 * The few DER building blocks the kit's certificates need beyond what @peculiar/x509 offers
 * (it has no NameConstraints extension class): tag-length-value writing and reading.
 */

/** Encodes one TLV with a definite length (DER). */
export function tlv(tag: number, content: Uint8Array): Uint8Array {
  const n = content.length;
  const len =
    n < 0x80
      ? [n]
      : n < 0x100
        ? [0x81, n]
        : n < 0x10000
          ? [0x82, n >> 8, n & 0xff]
          : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  const out = new Uint8Array(1 + len.length + n);
  out[0] = tag;
  out.set(len, 1);
  out.set(content, 1 + len.length);
  return out;
}

/** Concatenates byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One TLV read back: its tag, its content and the whole element (for nested parsers). */
export interface Tlv {
  readonly tag: number;
  readonly content: Uint8Array;
  readonly element: Uint8Array;
}

/** Reads the TLVs laid side by side in `bytes`; throws on a truncated or indefinite length. */
export function readTlvs(bytes: Uint8Array): Tlv[] {
  const out: Tlv[] = [];
  let at = 0;
  while (at < bytes.length) {
    const start = at;
    const tag = bytes[at++]!;
    let len = bytes[at++];
    if (len === undefined) throw new Error('DER: truncated length');
    if (len >= 0x80) {
      const count = len & 0x7f;
      if (count === 0 || count > 3) throw new Error('DER: unsupported length');
      len = 0;
      for (let i = 0; i < count; i++) {
        const b = bytes[at++];
        if (b === undefined) throw new Error('DER: truncated length');
        len = (len << 8) | b;
      }
    }
    if (at + len > bytes.length) throw new Error('DER: truncated content');
    out.push({ tag, content: bytes.subarray(at, at + len), element: bytes.subarray(start, at + len) });
    at += len;
  }
  return out;
}
