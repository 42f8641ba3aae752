/**
 * The call panel's words (Russian: the brigade's language), kept beside it so the tablet's main
 * catalogue is not touched by the call work.
 */
const RU = {
  incoming: 'Входящий звонок: {name}',
  audioOnly: 'Голосовой звонок',
  withVideo: 'Звонок с видео',
  audioNarrow: 'Голосовой звонок: канал {kbps} кбит/с, для видео нужно от {min} кбит/с',
  audioUnmeasured: 'Голосовой звонок: скорость канала не измерена',
  frames: 'кадров видео: {n}',
  accept: 'Принять',
  decline: 'Отклонить',
  connecting: 'Соединяем с {name}…',
  inCall: 'Разговор: {name}',
  received: 'получено звука: {kb} КБ',
  hangUp: 'Завершить',
  ended: 'Звонок завершён',
  endLocal: 'вы завершили звонок',
  endRemote: 'специалист завершил звонок',
  endTaken: 'ответили на другом планшете',
  endDeclined: 'вызов отклонён',
  endFailed: 'связь прервалась',
  close: 'Закрыть',
} as const;

/** The call panel's text. */
export function ct(key: keyof typeof RU, vars: Readonly<Record<string, string | number>> = {}): string {
  return RU[key].replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}
