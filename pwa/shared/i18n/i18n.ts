import { EN } from './catalogue-en.ts';
import { RU } from './catalogue-ru.ts';
import type { Catalogue, Locale, PluralKey, TextKey } from './types.ts';

export type { Catalogue, Locale, MessageKey, PluralKey, PluralText, TextKey } from './types.ts';

/** The catalogues by locale (Russian is the default). */
export const CATALOGUES: Readonly<Record<Locale, Catalogue>> = { ru: RU, en: EN };

const TAGS: Readonly<Record<Locale, string>> = { ru: 'ru-RU', en: 'en-GB' };
const rules = new Map<Locale, Intl.PluralRules>();
// `n.toLocaleString(tag)` built a new ICU formatter at every call (V8 caches only the default
// locale's): in a freshly started tablet page that was a tenth of the first render.
const counts = new Map<Locale, Intl.NumberFormat>();

/** The BCP 47 tag of a locale (for Intl formatters). */
export function localeTag(locale: Locale): string {
  return TAGS[locale];
}

function fill(text: string, vars: Readonly<Record<string, string | number>>): string {
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

/** A plain message, with `{name}` placeholders filled. */
export function t(
  locale: Locale,
  key: TextKey,
  vars: Readonly<Record<string, string | number>> = {},
): string {
  return fill(CATALOGUES[locale][key], vars);
}

/** The category Intl.PluralRules gives a count (Russian: one, few, many, other). */
export function pluralCategory(locale: Locale, n: number): Intl.LDMLPluralRule {
  let r = rules.get(locale);
  if (!r) {
    r = new Intl.PluralRules(TAGS[locale]);
    rules.set(locale, r);
  }
  return r.select(n);
}

/** A counted phrase: "3 показания", "5 показаний", "1 reading". */
export function plural(locale: Locale, key: PluralKey, n: number): string {
  const forms = CATALOGUES[locale][key];
  const category = pluralCategory(locale, n);
  const text =
    (category === 'one' || category === 'few' || category === 'many' ? forms[category] : undefined) ??
    forms.other;
  return fill(text, { n: countText(locale, n) });
}

/**
 * A count as the locale writes it. Below 1000 every locale here writes the bare digits, so no
 * formatter is built: the first Intl.NumberFormat of a freshly started page loads ICU's number
 * data, which cost more than the rest of the visit screen's first render.
 */
export function countText(locale: Locale, n: number): string {
  if (Number.isInteger(n) && n >= 0 && n < 1000) return String(n);
  let f = counts.get(locale);
  if (!f) {
    f = new Intl.NumberFormat(TAGS[locale]);
    counts.set(locale, f);
  }
  return f.format(n);
}
