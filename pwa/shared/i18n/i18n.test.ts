import { describe, expect, it } from 'vitest';
import { CATALOGUES, plural, t } from './i18n.ts';
import { RU } from './catalogue-ru.ts';
import type { PluralKey } from './types.ts';

const pluralKeys = (Object.keys(RU) as (keyof typeof RU)[]).filter(
  (k) => typeof RU[k] !== 'string',
) as PluralKey[];

describe('tablet catalogues', () => {
  it('have the same keys in Russian and English, none empty', () => {
    expect(Object.keys(CATALOGUES.en).sort()).toEqual(Object.keys(CATALOGUES.ru).sort());
    for (const cat of Object.values(CATALOGUES))
      for (const [k, v] of Object.entries(cat)) {
        const texts = typeof v === 'string' ? [v] : (Object.values(v as object) as string[]);
        for (const s of texts) expect(s.trim(), k).not.toBe('');
      }
  });

  it('give every Russian plural its one, few and many forms', () => {
    expect(pluralKeys.length).toBeGreaterThan(3);
    for (const k of pluralKeys) {
      const forms = RU[k] as { one: string; few?: string; many?: string };
      expect(forms.few, k).toBeTruthy();
      expect(forms.many, k).toBeTruthy();
    }
  });

  it('choose Russian forms through Intl.PluralRules', () => {
    const cases: [number, string][] = [
      [1, '1 показание'],
      [2, '2 показания'],
      [4, '4 показания'],
      [5, '5 показаний'],
      [11, '11 показаний'],
      [12, '12 показаний'],
      [21, '21 показание'],
      [22, '22 показания'],
      [25, '25 показаний'],
      [101, '101 показание'],
      [111, '111 показаний'],
    ];
    for (const [n, text] of cases) expect(plural('ru', 'readingsCount', n)).toBe(text);
    expect(plural('ru', 'age', 71)).toBe('71 год');
    expect(plural('ru', 'age', 74)).toBe('74 года');
    expect(plural('ru', 'age', 78)).toBe('78 лет');
    expect(plural('en', 'readingsCount', 1)).toBe('1 reading');
    expect(plural('en', 'readingsCount', 3)).toBe('3 readings');
  });

  it('fills placeholders', () => {
    expect(t('ru', 'news2AtLeast', { n: 6 })).toBe('не менее 6');
    expect(t('en', 'news2Emergency', { n: 8 })).toContain('NEWS2 8');
  });
});
