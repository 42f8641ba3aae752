import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { countText, localeTag, plural } from '../../shared/i18n/i18n.ts';
import type { Locale } from '../../shared/i18n/i18n.ts';
import { dateText, formatNumber, timeOfDay } from './format.ts';
import type { Words } from './state/context.ts';

const words = (locale: Locale): Words => ({ locale, tag: localeTag(locale), t: () => '', n: () => '' });

const savedTz = process.env.TZ;
afterEach(() => {
  process.env.TZ = savedTz;
});

/** The hand-written formatters stand in for Intl ones (too slow to build in a fresh page): same output. */
describe('time and date formatting', () => {
  // Every hour and a spread of minutes over two days, in zones either side of UTC.
  const instants = Array.from({ length: 48 * 7 }, (_, i) =>
    new Date(Date.UTC(2026, 11, 31, 0, 0, 0) + (i * (60 * 60 * 1000)) / 7 + (i % 60) * 1000).toISOString(),
  );

  for (const tz of ['UTC', 'Europe/Moscow', 'Asia/Vladivostok', 'America/New_York'])
    for (const locale of ['ru', 'en'] as const)
      it(`writes the time of day as Intl does (${locale}, ${tz})`, () => {
        process.env.TZ = tz;
        const intl = new Intl.DateTimeFormat(localeTag(locale), { hour: '2-digit', minute: '2-digit' });
        for (const iso of instants) expect(timeOfDay(words(locale), iso)).toBe(intl.format(new Date(iso)));
      });

  for (const locale of ['ru', 'en'] as const)
    it(`writes dates as Intl does (${locale})`, () => {
      const intl = new Intl.DateTimeFormat(localeTag(locale));
      for (const d of ['1948-03-02', '2000-12-31', '2026-01-09', '1999-10-10T00:00:00Z'])
        expect(dateText(words(locale), d)).toBe(intl.format(new Date(`${d.slice(0, 10)}T12:00:00`)));
    });

  it('says nothing for a time it cannot read, and gives back a date it cannot read', () => {
    expect(timeOfDay(words('ru'), 'not a time')).toBe('');
    expect(dateText(words('ru'), '1948')).toBe('1948');
  });

  it('writes counts in phrases with the locale digits grouping', () => {
    expect(plural('ru', 'age', 78)).toMatch(/^78 /);
    expect(plural('ru', 'age', 12345)).toContain(new Intl.NumberFormat('ru-RU').format(12345));
    expect(plural('en', 'age', 12345)).toContain('12,345');
  });

  it('writes vitals as Intl does, at the device precision, in both locales', () => {
    const intl = (locale: Locale, digits: number, v: number) =>
      new Intl.NumberFormat(localeTag(locale), {
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      }).format(v);
    const value = fc.oneof(
      fc.integer({ min: -50, max: 2000 }),
      fc.double({ min: -10, max: 1500, noNaN: true }),
      fc.constantFrom(0, -0, 36.6, 36.65, 1.005, 97, 999.95, 0.1, 120, 1000, 12345.6),
      fc.integer({ min: 0, max: 9999 }).map((n) => n / 10),
      fc.integer({ min: 0, max: 99999 }).map((n) => n / 100),
    );
    fc.assert(
      fc.property(value, fc.integer({ min: 0, max: 3 }), fc.constantFrom('ru', 'en'), (v, digits, locale) => {
        const w = words(locale);
        expect(formatNumber(w, { value: v, precision: digits, unit: null, absentReason: null })).toBe(
          intl(locale, digits, v),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('writes counts as Intl does', () => {
    for (const locale of ['ru', 'en'] as const)
      for (const n of [0, 1, 2, 5, 21, 999, 1000, 1234, 10000, 12345678, 2.5])
        expect(countText(locale, n)).toBe(new Intl.NumberFormat(localeTag(locale)).format(n));
  });
});
