/** The onboarding page's words, Russian first; the page shows both languages, Russian on top. */
export const ONBOARDING_TEXT = {
  ru: {
    lang: 'ru',
    title: 'Подключение планшета к полевому комплекту',
    lead: 'Шаг 1 из 2 — сертификат комплекта. Нужен один раз для каждого планшета: без него приложение не работает без связи.',
    qrCaption: 'Наведите камеру планшета на код — скачается файл',
    fingerprint: 'Отпечаток SHA-256 — сверьте на планшете',
    steps: [
      'Включите блокировку экрана (PIN-код, пароль или графический ключ): без неё Android не установит сертификат.',
      'Отсканируйте QR-код и сохраните файл fieldkit-ca.crt.',
      'Откройте Настройки → Безопасность → Шифрование и учётные данные → Установить сертификат → Сертификат ЦС.',
      'Нажмите «Всё равно установить», подтвердите блокировку экрана и выберите fieldkit-ca.crt в «Загрузках».',
      'Проверьте: Шифрование и учётные данные → Надёжные учётные данные → Пользователь → «Fieldkit CA». Отпечаток SHA-256 должен совпасть с отпечатком на этой странице.',
    ],
    samsung:
      'На Samsung: Настройки → Биометрия и безопасность → Другие параметры безопасности → Установить из памяти устройства → Сертификат ЦС.',
    next: 'Шаг 2 из 2 — подключение: откройте приложение и введите код, который показывает комплект.',
    appLink: 'Приложение',
    mismatch: 'Отпечаток не совпадает? Не устанавливайте сертификат и сообщите старшему бригады.',
  },
  en: {
    lang: 'en',
    title: 'Connecting a tablet to the field kit',
    lead: 'Step 1 of 2 — the kit certificate. Once per tablet: without it the app cannot work offline.',
    qrCaption: 'Point the tablet camera at the code to download',
    fingerprint: 'SHA-256 fingerprint — compare on the tablet',
    steps: [
      'Turn on a screen lock (PIN, password or pattern): Android will not install a certificate without one.',
      'Scan the QR code and keep the file fieldkit-ca.crt.',
      'Open Settings → Security → Encryption & credentials → Install a certificate → CA certificate.',
      'Tap “Install anyway”, confirm the screen lock and pick fieldkit-ca.crt in Downloads.',
      'Check: Encryption & credentials → Trusted credentials → User → “Fieldkit CA”. Its SHA-256 fingerprint must match the one on this page.',
    ],
    samsung:
      'On Samsung: Settings → Biometrics and security → Other security settings → Install from device storage → CA certificate.',
    next: 'Step 2 of 2 — pairing: open the app and enter the code the kit shows.',
    appLink: 'The app',
    mismatch: 'Fingerprint differs? Do not install the certificate; tell the brigade lead.',
  },
} as const;

/** The pairing section and page (shown on the kit's own screen only). */
export const PAIRING_TEXT = {
  ru: {
    title: 'Подключить планшет',
    lead: 'Выберите роль — комплект покажет одноразовый код на 10 минут.',
    roles: { feldsher: 'Фельдшер', doctor: 'Врач', coordinator: 'Координатор' },
    code: 'Код подключения',
    scan: 'Отсканируйте камерой планшета (сертификат уже установлен) или введите код в приложении',
    until: 'Действует до',
    back: 'Назад',
  },
  en: {
    title: 'Pair a tablet',
    lead: 'Choose the role — the kit shows a one-time code valid for 10 minutes.',
    roles: { feldsher: 'Feldsher', doctor: 'Doctor', coordinator: 'Coordinator' },
    code: 'Pairing code',
    scan: 'Scan with the tablet camera (certificate installed) or type the code in the app',
    until: 'Valid until',
    back: 'Back',
  },
} as const;
