import { ImportFileError } from './import-types.ts';

/** Encodings a clinic system's CSV comes in. */
export type TextEncodingName = 'utf-8' | 'windows-1251';

/** Text decoded from a file, with how it was decided. */
export interface DecodedText {
  readonly text: string;
  readonly encoding: TextEncodingName;
  readonly detected: boolean;
}

/**
 * Decodes an import file: the encoding given, or detected. UTF-8 (with or without a BOM) when the
 * bytes are valid UTF-8, Windows-1251 otherwise: Cyrillic in Windows-1251 is letters from 0xC0
 * up followed by more letters, which is never valid UTF-8, so real lists are not confused.
 */
export function decodeText(bytes: Uint8Array, forced?: TextEncodingName): DecodedText {
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const body = bom ? bytes.subarray(3) : bytes;
  if (forced === 'windows-1251')
    return { text: new TextDecoder('windows-1251').decode(body), encoding: forced, detected: false };
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    return { text, encoding: 'utf-8', detected: forced === undefined };
  } catch {
    if (forced === 'utf-8')
      throw new ImportFileError('bad_encoding', 'the file is not valid UTF-8 (try --encoding windows-1251)');
    return { text: new TextDecoder('windows-1251').decode(body), encoding: 'windows-1251', detected: true };
  }
}
