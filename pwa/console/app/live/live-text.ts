import { locale } from '../i18n.ts';

/**
 * The words of the live strip and the call (kept beside them so that the console's main
 * catalogue, edited by the queue's work too, is not touched). Russian first, English the same keys.
 */
const RU = {
  liveTitle: 'Показатели в реальном времени',
  liveOn: 'в эфире',
  liveConnecting: 'подключение напрямую к укладке…',
  liveDown: 'прямой связи нет — данные придут через сервер',
  liveWaiting: 'Ждём новых измерений на укладке…',
  callButton: 'Позвонить',
  callCalling: 'Вызов… ждём ответа на планшете',
  callConnected: 'Разговор идёт',
  callHangUp: 'Завершить',
  callEnded: 'Звонок завершён',
  endLocal: 'вы завершили звонок',
  endRemote: 'собеседник завершил звонок',
  endDeclined: 'на планшете отклонили вызов',
  endUnanswered: 'никто не ответил',
  endFailed: 'связь прервалась',
  callAudioOnly: 'только голос',
  callVideo: 'голос и видео',
  callReceived: 'получено звука: {kb} КБ',
  callFrames: 'кадров видео: {n} ({w}×{h})',
  linkMeasuring: 'Канал до укладки: измеряем…',
  linkMeasured: 'Канал до укладки: {speed}, задержка {rtt} мс',
  linkMeasuredKit: 'Канал укладки: {speed} (измерено укладкой)',
  linkUnknown: 'Канал до укладки не измерен',
  whyWide: 'Звонок будет с видео',
  whyNarrow: 'Только голос: канал {speed}, для видео нужно от {min} кбит/с',
  whyUnmeasured: 'Только голос: скорость канала не измерена',
  kbps: '{n} кбит/с',
  mbps: '{n} Мбит/с',
} as const;

const EN: Record<keyof typeof RU, string> = {
  liveTitle: 'Live vitals',
  liveOn: 'live',
  liveConnecting: 'connecting directly to the kit…',
  liveDown: 'no direct path — the data will come through the server',
  liveWaiting: 'Waiting for new readings on the kit…',
  callButton: 'Call',
  callCalling: 'Calling… waiting for the tablet to answer',
  callConnected: 'In call',
  callHangUp: 'Hang up',
  callEnded: 'Call ended',
  endLocal: 'you hung up',
  endRemote: 'the other side hung up',
  endDeclined: 'declined on the tablet',
  endUnanswered: 'nobody answered',
  endFailed: 'the connection failed',
  callAudioOnly: 'audio only',
  callVideo: 'audio and video',
  callReceived: 'audio received: {kb} KB',
  callFrames: 'video frames: {n} ({w}×{h})',
  linkMeasuring: 'Link to the kit: measuring…',
  linkMeasured: 'Link to the kit: {speed}, round trip {rtt} ms',
  linkMeasuredKit: 'The kit’s link: {speed} (measured by the kit)',
  linkUnknown: 'Link to the kit not measured',
  whyWide: 'The call will have video',
  whyNarrow: 'Audio only: the link is {speed}, video needs {min} kbit/s',
  whyUnmeasured: 'Audio only: the link speed is not measured',
  kbps: '{n} kbit/s',
  mbps: '{n} Mbit/s',
};

/** A key of the live and call words. */
export type LiveKey = keyof typeof RU;

/** The live strip's and call's text in the console's locale. */
export function lt(key: LiveKey, vars: Readonly<Record<string, string | number>> = {}): string {
  const text = locale() === 'ru' ? RU[key] : EN[key];
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

/** A link speed in kbit/s as the console says it (Mbit/s from 10 Mbit/s). */
export function speedText(kbps: number): string {
  return kbps >= 10_000 ? lt('mbps', { n: Math.round(kbps / 1000) }) : lt('kbps', { n: Math.round(kbps) });
}
