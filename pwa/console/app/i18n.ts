/**
 * The console's words. Russian is the language of the brigade and its specialists, so it is the
 * catalogue every key is defined in; English has the same keys (a second locale, for foreign
 * consultants). Screens never hold text of their own: they ask {@link t}.
 */
export const RU = {
  appTitle: 'Консоль специалиста',
  enrolTitle: 'Регистрация устройства',
  enrolIntro:
    'Введите одноразовый код, выданный организацией. Ключи устройства создаются в этом браузере и не покидают его.',
  enrolCode: 'Одноразовый код',
  deviceLabel: 'Название устройства',
  deviceLabelDefault: 'Браузер специалиста',
  passphrase: 'Пароль к ключам',
  passphraseRepeat: 'Пароль ещё раз',
  passphraseHint: 'Не короче 8 символов. Без него ключи не открыть, восстановить его нельзя.',
  enrolSubmit: 'Зарегистрировать устройство',
  enrolWorking: 'Создаём ключи и регистрируем устройство…',
  enrolBadCode: 'Код не подошёл: неверный, уже использован или истёк.',
  enrolFailed: 'Регистрация не удалась: {why}',
  enrolCodeShort:
    'В коде нет проверки ключа организации (нужно 28 знаков, 7 групп по 4). Попросите у администратора полный код.',
  enrolCodeMalformed: 'Код набран неверно: нужно 28 знаков, 7 групп по 4 (буквы и цифры без 0, 1, I, L, O).',
  enrolOrgMismatch:
    'Регистрация отклонена: хаб назвал ключ организации с проверкой {got}, а код выдан для ключа с проверкой {want}. Возможна подмена хаба или его каталога. Устройство не сохранено; сообщите администратору организации.',
  directoryOrgMismatch:
    'Каталог отклонён: он подписан ключом организации с проверкой {got}, а код регистрации выдан для другого ключа. Возможна подмена хаба.',
  directoryNoCheck:
    'Каталог не принят: устройство зарегистрировано старым кодом без проверки ключа организации. Зарегистрируйте устройство заново с полным кодом (28 знаков).',
  passphraseMismatch: 'Пароли не совпадают',
  passphraseShort: 'Пароль короче 8 символов',
  unlockTitle: 'Вход',
  unlockIntro: 'Устройство специалиста {identity}. Введите пароль, чтобы открыть ключи.',
  unlockSubmit: 'Открыть ключи',
  unlockWorking: 'Открываем ключи…',
  unlockWrong: 'Неверный пароль',
  vaultTamperedTitle: 'Ключи не открыты: хранилище изменено',
  vaultTampered:
    'Пароль верный, но запись ключей в браузере изменена не консолью: закреплённый ключ организации или имя устройства не совпадают с подписью этого устройства. Консоль не доверяет такой записи. Сообщите администратору организации и зарегистрируйте устройство заново.',
  startFailedTitle: 'Консоль не открылась',
  startClosedTitle: 'Эта вкладка консоли остановлена',
  startBlocked:
    'Хранилище консоли в этом браузере занято другой вкладкой консоли (старой версии). Закройте другие вкладки консоли и повторите.',
  startTimeout:
    'Браузер не ответил хранилищу консоли за 20 секунд. Повторите; если не поможет, перезапустите браузер.',
  startVersion:
    'Хранилище консоли записано более новой версией консоли. Перезагрузите страницу, чтобы получить новую версию.',
  startClosed:
    'Хранилище консоли обновлено в другой вкладке или очищено браузером. Эта вкладка больше не может сохранять; перезагрузите её. Сохранённое раньше не потеряно.',
  startFailed: 'Хранилище консоли не открылось: {why}',
  startDetail: 'Подробности: {detail}',
  startRetry: 'Повторить',
  startReload: 'Перезагрузить страницу',
  updateReady: 'Доступна новая версия консоли — обновить',
  hubUp: 'на связи с хабом',
  hubDown: 'нет связи с хабом',
  hubConnecting: 'подключение к хабу…',
  hubRefused: 'хаб не принял устройство: {why}',
  notInDirectory:
    'Устройства ещё нет в справочнике организации: консультации к нему не дойдут, а заключения не будут приняты.',
  queueTitle: 'Очередь консультаций',
  queueEmpty: 'Новых консультаций нет',
  queueShown: 'Показаны первые {shown} из {total}',
  showMore: 'Показать ещё {n}',
  replyBlocked: 'Ответить нельзя: консультацию ведёт {name}',
  replyRefused: 'Хаб не принял ответ: консультацию ведёт {name}',
  replyRefusedWhy: 'Хаб не принял ответ: {why}',
  replyUnbound: 'Хаб не принял ответ: в нём не указано, на какую консультацию он отвечает',
  queueStale:
    'Нет связи с хабом: показан последний известный список (на {at}). Ответы уйдут, когда связь вернётся.',
  pendingCount: 'Ждут отправки: {n}',
  deadlines: 'Срок ответа: срочно — {urgent}, планово — {routine}',
  urgent: 'Срочно',
  routine: 'Планово',
  colUrgency: 'Срочность',
  colPatient: 'Пациент',
  colQuestion: 'Вопрос',
  colWaiting: 'Ожидает',
  colDeadline: 'Срок ответа',
  colStatus: 'Состояние',
  dueIn: 'осталось {d}',
  overdueBy: 'просрочено на {d}',
  statusNew: 'новая',
  statusClaimed: 'взята мной',
  statusAnswered: 'отвечено',
  takenBy: 'взята: {name}',
  assignedNote: 'назначил координатор {name}',
  claimRefused: 'Не удалось взять: {why}',
  assignRefused: 'Не удалось передать: {why}',
  heldByOther: 'Консультацию ведёт другой специалист: {name}. Заключение подписывает он.',
  coordTitle: 'Координация: открытые консультации',
  coordEmpty: 'Открытых консультаций нет',
  coordSummary: 'Открыто: {open} · просрочено: {overdue} · не взято: {free}',
  colAddress: 'Кому',
  colFrom: 'Бригада',
  colArrived: 'Поступила',
  colHolder: 'Кто ведёт',
  notTaken: 'не взята',
  reassignTo: 'Передать',
  reassign: 'Передать',
  unverified: 'не проверено: {why}',
  claim: 'Взять',
  open: 'Открыть',
  caseTitle: 'Консультация',
  backToQueue: '← К очереди',
  patient: 'Пациент',
  sexF: 'женщина',
  sexM: 'мужчина',
  sexX: 'пол не указан',
  ageUnknown: 'возраст не указан',
  yearsOne: '{n} год',
  yearsFew: '{n} года',
  yearsMany: '{n} лет',
  fromKit: 'Бригада',
  sentAt: 'Отправлено',
  question: 'Вопрос',
  vitals: 'Показатели',
  vitalName: 'Показатель',
  vitalValue: 'Значение',
  vitalTime: 'Время',
  noVitals: 'Показатели не присланы',
  vRespRate: 'Частота дыхания',
  vSpo2: 'SpO₂',
  vO2Flow: 'Поток кислорода',
  vBp: 'Артериальное давление',
  vSystolic: 'Систолическое давление',
  vPulse: 'Пульс',
  vConsciousness: 'Сознание (ACVPU)',
  vTemperature: 'Температура тела',
  news2: 'Шкала NEWS2',
  pointsOne: '{n} балл',
  pointsFew: '{n} балла',
  pointsMany: '{n} баллов',
  news2Incomplete: 'неполная: нет {n} параметров',
  riskLow: 'низкий риск',
  riskLowMedium: 'риск низкий–средний',
  riskMedium: 'средний риск',
  riskHigh: 'высокий риск',
  ecg: 'ЭКГ',
  ecgScale: '25 мм/с · 10 мм/мВ',
  ecgNone: 'ЭКГ не прислана',
  zoomIn: 'Крупнее',
  zoomOut: 'Мельче',
  calipers: 'Циркуль',
  caliperReading: '{ms} мс · {bpm} уд/мин · {mv} мВ',
  caliperHint: 'Нажмите на ЭКГ в двух точках',
  photos: 'Фото',
  photosNone: 'Фото не присланы',
  mediaTitle: 'Фото и голосовые заметки',
  earlierTitle: 'Ранее по этому визиту',
  earlierNone: 'Других консультаций по этому визиту не было',
  earlierMissing: 'Ещё {n}: направлены другим специалистам',
  mediaNone: 'Фото и голосовые заметки не присланы',
  mediaPending: 'Ещё в пути: {n}',
  photoAlt: 'Фото из консультации',
  voiceNote: 'Голосовая заметка бригады',
  fileOther: 'Файл {media}',
  voiceRecord: 'Записать голосовое',
  voiceStop: 'Остановить запись',
  voiceRecording: 'Идёт запись: {s} с',
  voiceLength: 'Запись {s} с',
  voiceSend: 'Отправить голосовое',
  voiceDiscard: 'Удалить запись',
  voiceQueued: 'Голосовое сообщение ждёт отправки на хаб',
  voiceAtHub: 'Голосовое сообщение принято хабом',
  voiceFailed: 'Голосовое не отправлено: {why}',
  voiceNoMic: 'Нет доступа к микрофону: {why}',
  conclusion: 'Заключение',
  findings: 'Находки и заключение',
  diagnosis: 'Диагноз',
  icd10: 'Код МКБ-10',
  recommendations: 'Рекомендации',
  referral: 'Нужна очная консультация',
  bindsRecords: 'Подпись закрепит {n} записей консультации по SHA-256',
  signAndSend: 'Подписать и отправить',
  signing: 'Подписываем и отправляем…',
  conclusionQueued: 'Заключение подписано ключом устройства и ждёт отправки на хаб',
  conclusionAtHub: 'Заключение подписано и принято хабом',
  conclusionFailed: 'Заключение не отправлено: {why}',
  conclusionEmpty: 'Напишите заключение',
  message: 'Сообщение бригаде',
  sendMessage: 'Отправить сообщение',
  messageQueued: 'Сообщение ждёт отправки на хаб',
  messageAtHub: 'Сообщение принято хабом',
  minutes: '{n} мин',
  hours: '{n} ч',
  hoursMinutes: '{h} ч {m} мин',
  days: '{n} дн',
  daysHours: '{d} дн {h} ч',
} as const;

/** A message key. */
export type MessageKey = keyof typeof RU;
/** A catalogue: every key of the Russian one. */
export type Catalogue = { readonly [K in MessageKey]: string };

/** The English catalogue (same keys). */
export const EN: Catalogue = {
  appTitle: 'Specialist console',
  enrolTitle: 'Register this device',
  enrolIntro:
    'Type the one-time code your organisation gave you. The device keys are made in this browser and never leave it.',
  enrolCode: 'One-time code',
  deviceLabel: 'Device name',
  deviceLabelDefault: 'Specialist browser',
  passphrase: 'Key passphrase',
  passphraseRepeat: 'Passphrase again',
  passphraseHint: 'At least 8 characters. Without it the keys cannot be opened; it cannot be recovered.',
  enrolSubmit: 'Register device',
  enrolWorking: 'Making keys and registering the device…',
  enrolBadCode: 'The code did not work: wrong, used or expired.',
  enrolFailed: 'Registration failed: {why}',
  enrolCodeShort:
    'The code lacks the organisation key check (28 characters, 7 groups of 4 are needed). Ask the administrator for the full code.',
  enrolCodeMalformed:
    'The code is mistyped: 28 characters, 7 groups of 4 (letters and digits without 0, 1, I, L, O).',
  enrolOrgMismatch:
    'Registration refused: the hub named the organisation key with check {got}, but the code was issued for the key with check {want}. The hub or its directory may have been substituted. Nothing was saved on this device; tell your organisation administrator.',
  directoryOrgMismatch:
    'Directory refused: it is signed by the organisation key with check {got}, but the enrolment code was issued for another key. The hub may have been substituted.',
  directoryNoCheck:
    'Directory not accepted: this device was enrolled with an older code without the organisation key check. Enrol it again with the full code (28 characters).',
  passphraseMismatch: 'The passphrases differ',
  passphraseShort: 'The passphrase is shorter than 8 characters',
  unlockTitle: 'Sign in',
  unlockIntro: 'Specialist device {identity}. Type the passphrase to open the keys.',
  unlockSubmit: 'Open keys',
  unlockWorking: 'Opening the keys…',
  unlockWrong: 'Wrong passphrase',
  vaultTamperedTitle: 'Keys not opened: the vault was changed',
  vaultTampered:
    'The passphrase is right, but the key record in this browser was changed outside the console: the pinned organisation key or the device name do not match this device’s signature. The console does not trust such a record. Tell your organisation administrator and enrol the device again.',
  startFailedTitle: 'The console did not open',
  startClosedTitle: 'This console tab has stopped',
  startBlocked:
    'The console storage in this browser is held by another console tab (an older version). Close the other console tabs and retry.',
  startTimeout:
    'The browser did not answer the console storage in 20 seconds. Retry; if that fails, restart the browser.',
  startVersion:
    'The console storage was written by a newer console version. Reload the page to get the new version.',
  startClosed:
    'The console storage was upgraded in another tab or cleared by the browser. This tab can no longer save; reload it. What was saved before is kept.',
  startFailed: 'The console storage did not open: {why}',
  startDetail: 'Details: {detail}',
  startRetry: 'Retry',
  startReload: 'Reload the page',
  updateReady: 'A new console version is available — update',
  hubUp: 'connected to the hub',
  hubDown: 'no connection to the hub',
  hubConnecting: 'connecting to the hub…',
  hubRefused: 'the hub refused this device: {why}',
  notInDirectory:
    'This device is not in the organisation directory yet: consultations will not reach it and conclusions will not be accepted.',
  queueTitle: 'Consultation queue',
  queueEmpty: 'No new consultations',
  queueShown: 'Showing the first {shown} of {total}',
  showMore: 'Show {n} more',
  replyBlocked: 'You cannot reply: {name} holds this consultation',
  replyRefused: 'The hub refused the reply: {name} holds this consultation',
  replyRefusedWhy: 'The hub refused the reply: {why}',
  replyUnbound: 'The hub refused the reply: it does not name the consultation it answers',
  queueStale:
    'No connection to the hub: this is the last known list (as of {at}). Replies go out when it is back.',
  pendingCount: 'Waiting to be sent: {n}',
  deadlines: 'Answer within: urgent {urgent}, routine {routine}',
  urgent: 'Urgent',
  routine: 'Routine',
  colUrgency: 'Urgency',
  colPatient: 'Patient',
  colQuestion: 'Question',
  colWaiting: 'Waiting',
  colDeadline: 'Deadline',
  colStatus: 'Status',
  dueIn: '{d} left',
  overdueBy: 'overdue by {d}',
  statusNew: 'new',
  statusClaimed: 'claimed by me',
  statusAnswered: 'answered',
  takenBy: 'taken: {name}',
  assignedNote: 'assigned by coordinator {name}',
  claimRefused: 'Could not claim: {why}',
  assignRefused: 'Could not reassign: {why}',
  heldByOther: 'Another specialist holds this consultation: {name}. They sign the conclusion.',
  coordTitle: 'Coordination: open consultations',
  coordEmpty: 'No open consultations',
  coordSummary: 'Open: {open} · overdue: {overdue} · not taken: {free}',
  colAddress: 'To',
  colFrom: 'Kit',
  colArrived: 'Arrived',
  colHolder: 'Held by',
  notTaken: 'not taken',
  reassignTo: 'Reassign to',
  reassign: 'Reassign',
  unverified: 'unverified: {why}',
  claim: 'Claim',
  open: 'Open',
  caseTitle: 'Consultation',
  backToQueue: '← Queue',
  patient: 'Patient',
  sexF: 'female',
  sexM: 'male',
  sexX: 'sex not given',
  ageUnknown: 'age not given',
  yearsOne: '{n} year',
  yearsFew: '{n} years',
  yearsMany: '{n} years',
  fromKit: 'Brigade',
  sentAt: 'Sent',
  question: 'Question',
  vitals: 'Vitals',
  vitalName: 'Parameter',
  vitalValue: 'Value',
  vitalTime: 'Time',
  noVitals: 'No vitals sent',
  vRespRate: 'Respiratory rate',
  vSpo2: 'SpO₂',
  vO2Flow: 'Oxygen flow',
  vBp: 'Blood pressure',
  vSystolic: 'Systolic pressure',
  vPulse: 'Pulse',
  vConsciousness: 'Consciousness (ACVPU)',
  vTemperature: 'Body temperature',
  news2: 'NEWS2 score',
  pointsOne: '{n} point',
  pointsFew: '{n} points',
  pointsMany: '{n} points',
  news2Incomplete: 'incomplete: {n} parameters missing',
  riskLow: 'low risk',
  riskLowMedium: 'low–medium risk',
  riskMedium: 'medium risk',
  riskHigh: 'high risk',
  ecg: 'ECG',
  ecgScale: '25 mm/s · 10 mm/mV',
  ecgNone: 'No ECG sent',
  zoomIn: 'Zoom in',
  zoomOut: 'Zoom out',
  calipers: 'Calipers',
  caliperReading: '{ms} ms · {bpm} bpm · {mv} mV',
  caliperHint: 'Tap the ECG at two points',
  photos: 'Photos',
  photosNone: 'No photos sent',
  mediaTitle: 'Photos and voice notes',
  earlierTitle: 'Earlier in this visit',
  earlierNone: 'No other consultations in this visit',
  earlierMissing: '{n} more: sent to other specialists',
  mediaNone: 'No photos or voice notes sent',
  mediaPending: 'Still on the way: {n}',
  photoAlt: 'Photo from the consultation',
  voiceNote: 'Voice note from the brigade',
  fileOther: 'File {media}',
  voiceRecord: 'Record a voice message',
  voiceStop: 'Stop recording',
  voiceRecording: 'Recording: {s} s',
  voiceLength: 'Recording {s} s',
  voiceSend: 'Send voice message',
  voiceDiscard: 'Discard recording',
  voiceQueued: 'Voice message waiting to go to the hub',
  voiceAtHub: 'Voice message accepted by the hub',
  voiceFailed: 'Voice message not sent: {why}',
  voiceNoMic: 'No microphone access: {why}',
  conclusion: 'Conclusion',
  findings: 'Findings and conclusion',
  diagnosis: 'Diagnosis',
  icd10: 'ICD-10 code',
  recommendations: 'Recommendations',
  referral: 'In-person referral needed',
  bindsRecords: 'The signature binds {n} records of the consultation by SHA-256',
  signAndSend: 'Sign and send',
  signing: 'Signing and sending…',
  conclusionQueued: 'Conclusion signed with the device key, waiting to go to the hub',
  conclusionAtHub: 'Conclusion signed and accepted by the hub',
  conclusionFailed: 'Conclusion not sent: {why}',
  conclusionEmpty: 'Write the conclusion',
  message: 'Message to the brigade',
  sendMessage: 'Send message',
  messageQueued: 'Message waiting to go to the hub',
  messageAtHub: 'Message accepted by the hub',
  minutes: '{n} min',
  hours: '{n} h',
  hoursMinutes: '{h} h {m} min',
  days: '{n} d',
  daysHours: '{d} d {h} h',
};

/** The console's locales: Russian first. */
export type Locale = 'ru' | 'en';
const CATALOGUES: Readonly<Record<Locale, Catalogue>> = { ru: RU, en: EN };
let current: Locale = 'ru';

/** Switches the locale (the screens re-render with the new words). */
export function setLocale(locale: Locale): void {
  current = locale;
}

/** The current locale. */
export function locale(): Locale {
  return current;
}

/** A message with `{name}` placeholders filled. */
export function t(key: MessageKey, vars: Readonly<Record<string, string | number>> = {}): string {
  return CATALOGUES[current][key].replace(/\{(\w+)\}/g, (m, name: string) =>
    name in vars ? String(vars[name]) : m,
  );
}

/** A duration as a specialist reads it at a glance: "12 мин", "3 ч 5 мин", "2 дн 4 ч". */
export function duration(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return t('minutes', { n: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 24)
    return minutes % 60 ? t('hoursMinutes', { h: hours, m: minutes % 60 }) : t('hours', { n: hours });
  const days = Math.floor(hours / 24);
  return hours % 24 ? t('daysHours', { d: days, h: hours % 24 }) : t('days', { n: days });
}

/** An age in years with the right Russian form: 1 год, 3 года, 25 лет. */
export function years(n: number): string {
  const category = new Intl.PluralRules(current === 'ru' ? 'ru-RU' : 'en-GB').select(n);
  return t(category === 'one' ? 'yearsOne' : category === 'few' ? 'yearsFew' : 'yearsMany', { n });
}

/** A NEWS2 total with the right Russian form: 1 балл, 3 балла, 8 баллов. */
export function points(n: number): string {
  const category = new Intl.PluralRules(current === 'ru' ? 'ru-RU' : 'en-GB').select(n);
  return t(category === 'one' ? 'pointsOne' : category === 'few' ? 'pointsFew' : 'pointsMany', { n });
}
