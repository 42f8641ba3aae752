/**
 * The tablet's words, Russian first and English second. Code and logs stay English; everything a
 * brigade reads on screen comes from here.
 */
export type Locale = 'ru' | 'en';

const STRINGS = {
  ru: {
    title: 'Полевой комплект',
    subtitle: 'Показания приборов',
    online: 'на связи с комплектом',
    offline: 'нет связи с комплектом — переподключение…',
    instruments: 'Приборы',
    latest: 'Последние показания',
    history: 'Журнал',
    saved: 'сохранено',
    noReadings: 'Показаний пока нет. Включите прибор.',
    connected: 'подключён',
    connecting: 'подключение…',
    disconnected: 'отключён',
    readings: 'показаний',
    dropped: 'отброшено кадров',
    cuff: 'Давление в манжете',
    notStored: 'не сохраняется',
    absent: 'нет значения',
    storeError: 'Запись не удаётся: показания НЕ сохраняются.',
    notStoredCount: 'Не сохранено показаний',
    storeResumed: 'Запись снова работает.',
    remeasure: 'Повторите измерения за время сбоя.',
    lowSpace: 'Мало места на диске комплекта, осталось',
    mb: 'МБ',
    understood: 'Понятно',
    language: 'English',
    pairTitle: 'Подключение планшета',
    pairLead: 'Введите код подключения, который показывает комплект (8 цифр), и название планшета.',
    pairCode: 'Код подключения',
    pairName: 'Название планшета',
    pairNameDefault: 'Планшет',
    pairButton: 'Подключить',
    pairing: 'Подключение…',
    pairFailed: 'Код неверный, истёк или уже использован. Попросите новый код.',
    pairLimited: 'Слишком много попыток. Подождите и попробуйте снова.',
    pairOffline: 'Нет связи с комплектом. Проверьте Wi-Fi.',
    revoked: 'Комплект отключил этот планшет. Подключите его заново.',
  },
  en: {
    title: 'Field kit',
    subtitle: 'Instrument readings',
    online: 'connected to the kit',
    offline: 'no connection to the kit — reconnecting…',
    instruments: 'Instruments',
    latest: 'Latest readings',
    history: 'Log',
    saved: 'saved',
    noReadings: 'No readings yet. Switch an instrument on.',
    connected: 'connected',
    connecting: 'connecting…',
    disconnected: 'disconnected',
    readings: 'readings',
    dropped: 'frames dropped',
    cuff: 'Cuff pressure',
    notStored: 'not stored',
    absent: 'no value',
    storeError: 'Writing fails: readings are NOT being saved.',
    notStoredCount: 'Readings not saved',
    storeResumed: 'Saving works again.',
    remeasure: 'Repeat the measurements taken during the outage.',
    lowSpace: 'Low disk space on the kit, left',
    mb: 'MB',
    understood: 'Understood',
    language: 'Русский',
    pairTitle: 'Pair this tablet',
    pairLead: 'Enter the pairing code the kit shows (8 digits) and a name for this tablet.',
    pairCode: 'Pairing code',
    pairName: 'Tablet name',
    pairNameDefault: 'Tablet',
    pairButton: 'Pair',
    pairing: 'Pairing…',
    pairFailed: 'The code is wrong, expired or already used. Ask for a new one.',
    pairLimited: 'Too many attempts. Wait and try again.',
    pairOffline: 'No connection to the kit. Check the Wi-Fi.',
    revoked: 'The kit revoked this tablet. Pair it again.',
  },
} as const;

/** Keys of the UI dictionary. */
export type StringKey = keyof (typeof STRINGS)['ru'];

/** Looks a UI string up. */
export function t(locale: Locale, key: StringKey): string {
  return STRINGS[locale][key];
}

const CODE_NAMES: Record<string, { ru: string; en: string }> = {
  '2708-6': { ru: 'SpO₂', en: 'SpO₂' },
  '59408-5': { ru: 'SpO₂ (пульсоксиметрия)', en: 'SpO₂ (pulse oximetry)' },
  '8867-4': { ru: 'Пульс', en: 'Heart rate' },
  '85354-9': { ru: 'Артериальное давление', en: 'Blood pressure' },
  '8480-6': { ru: 'Систолическое', en: 'Systolic' },
  '8462-4': { ru: 'Диастолическое', en: 'Diastolic' },
  '8478-0': { ru: 'Среднее', en: 'Mean' },
  '8310-5': { ru: 'Температура тела', en: 'Body temperature' },
  '29463-7': { ru: 'Масса тела', en: 'Body weight' },
  '8302-2': { ru: 'Рост', en: 'Body height' },
  '39156-5': { ru: 'ИМТ', en: 'BMI' },
};

/** A LOINC code's short display name in the locale, falling back to the coded display text. */
export function codeName(locale: Locale, loinc: string, fallback: string): string {
  return CODE_NAMES[loinc]?.[locale] ?? fallback;
}

const UNITS: Record<string, { ru: string; en: string }> = {
  '%': { ru: '%', en: '%' },
  '/min': { ru: 'уд/мин', en: 'bpm' },
  'mm[Hg]': { ru: 'мм рт. ст.', en: 'mmHg' },
  kPa: { ru: 'кПа', en: 'kPa' },
  Cel: { ru: '°C', en: '°C' },
  '[degF]': { ru: '°F', en: '°F' },
  kg: { ru: 'кг', en: 'kg' },
  '[lb_av]': { ru: 'фунт', en: 'lb' },
  'kg/m2': { ru: 'кг/м²', en: 'kg/m²' },
};

/** A UCUM unit as people write it. */
export function unitName(locale: Locale, ucum: string | null): string {
  if (ucum === null) return '';
  return UNITS[ucum]?.[locale] ?? ucum;
}

/** Time of day in the tablet's zone, in the locale's format. */
export function timeOfDay(locale: Locale, iso: string): string {
  return new Date(iso).toLocaleTimeString(locale === 'ru' ? 'ru-RU' : 'en-GB');
}
