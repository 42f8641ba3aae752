/**
 * Text as Windows-1251 bytes (ASCII, А-я, Ё, ё, №): how a clinic's older system writes its CSV.
 * Node decodes Windows-1251 but has no encoder; this covers what patient lists hold.
 */
export function toCp1251(text: string): Buffer {
  const out = Buffer.alloc(text.length);
  let n = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out[n++] = c;
    else if (c >= 0x410 && c <= 0x44f) out[n++] = c - 0x410 + 0xc0;
    else if (c === 0x401) out[n++] = 0xa8;
    else if (c === 0x451) out[n++] = 0xb8;
    else if (c === 0x2116) out[n++] = 0xb9;
    else throw new RangeError(`'${ch}' has no Windows-1251 byte here`);
  }
  return out.subarray(0, n);
}
