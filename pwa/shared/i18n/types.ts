import type { RU } from './catalogue-ru.ts';

/** The locales the tablet speaks: Russian first. */
export type Locale = 'ru' | 'en';

/** A counted phrase in Intl.PluralRules categories; `{n}` is replaced by the count. */
export interface PluralText {
  readonly one: string;
  readonly few?: string;
  readonly many?: string;
  readonly other: string;
}

/** Every message key. */
export type MessageKey = keyof typeof RU;
/** Keys of plain strings. */
export type TextKey = { [K in MessageKey]: (typeof RU)[K] extends string ? K : never }[MessageKey];
/** Keys of counted phrases. */
export type PluralKey = Exclude<MessageKey, TextKey>;

/** A catalogue: the same keys as the Russian one, strings where it has strings. */
export type Catalogue = { readonly [K in MessageKey]: (typeof RU)[K] extends string ? string : PluralText };
