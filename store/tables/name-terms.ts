/** Shortest name prefix that is indexed (and so the shortest that can be searched). */
export const MIN_PREFIX = 2;
/** Longest indexed prefix; longer queries use it and are refined after decrypting. */
export const MAX_PREFIX = 10;

/**
 * Normalises a name for matching: NFKC, lower case, ё as е (Russian records mix them), only
 * letters and digits kept. "Петров-Водкин" and "петров водкин" meet.
 */
export function normaliseName(text: string): string {
  return text
    .normalize('NFKC')
    .toLocaleLowerCase('ru')
    .replace(/ё/g, 'е')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Words of a name (family, given and middle names may each hold several). */
export function nameTokens(...parts: (string | undefined)[]): string[] {
  const words = new Set<string>();
  for (const part of parts) for (const w of normaliseName(part ?? '').split(' ')) if (w) words.add(w);
  return [...words];
}

/** The prefixes under which a word is indexed: lengths MIN_PREFIX..MAX_PREFIX, and the word itself. */
export function prefixesOf(word: string): string[] {
  const chars = [...word];
  const out = new Set<string>();
  for (let n = MIN_PREFIX; n <= Math.min(chars.length, MAX_PREFIX); n++) out.add(chars.slice(0, n).join(''));
  return [...out];
}

/** Normalises a document number: letters and digits only, upper case ("45 10 123456" = "4510123456"). */
export function normaliseDocument(number: string): string {
  return number
    .normalize('NFKC')
    .toLocaleUpperCase('ru')
    .replace(/[^\p{L}\p{N}]+/gu, '');
}
