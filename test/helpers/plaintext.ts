import { encodeCbor } from '../../store/cbor.ts';
import { filesUnder } from './data-dir.ts';

/** A byte pattern that must never appear on disk, with what it stands for. */
export interface Needle {
  readonly label: string;
  readonly bytes: Buffer;
}

/**
 * Shorter patterns than this would turn up in megabytes of ciphertext by chance (a 2-byte CBOR
 * integer does), so a check built on them could fail for nothing or, worse, be weakened until it
 * proves nothing. 6 bytes: about one chance in 2^48 per byte offset.
 */
export const MIN_NEEDLE_BYTES = 6;

function needle(label: string, bytes: Uint8Array): Needle {
  if (bytes.byteLength < MIN_NEEDLE_BYTES)
    throw new Error(
      `needle '${label}' is ${bytes.byteLength} bytes: too short to mean anything in ciphertext`,
    );
  return { label, bytes: Buffer.from(bytes) };
}

/** Every way a text could sit on disk in the clear: UTF-8, UTF-16LE and a CBOR text string. */
export function textNeedles(text: string): Needle[] {
  return [
    needle(`${text} (utf8)`, Buffer.from(text, 'utf8')),
    needle(`${text} (utf16)`, Buffer.from(text, 'utf16le')),
    needle(`${text} (cbor)`, encodeCbor(text)),
  ];
}

/** A value exactly as the store's CBOR encoder writes it (numbers, arrays, maps). */
export function cborNeedle(label: string, value: unknown): Needle {
  return needle(`${label} (cbor)`, encodeCbor(value));
}

/** Every needle found in any file under `dir`, as "label in path" (empty: nothing in the clear). */
export function plaintextIn(dir: string, needles: readonly Needle[]): string[] {
  const found: string[] = [];
  for (const file of filesUnder(dir))
    for (const n of needles) if (file.bytes.includes(n.bytes)) found.push(`${n.label} in ${file.path}`);
  return found;
}
