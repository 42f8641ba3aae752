import { useEffect, useRef, useState } from 'preact/hooks';
import { MAX_VOICE_BYTES } from '../case/answer.ts';
import { t } from '../i18n.ts';
import { ReplyState } from './reply-state.tsx';
import { useConsole } from '../use-console.ts';

/** Longest recording: past it the recorder stops by itself. */
const MAX_RECORDING_MS = 120_000;
/** Opus at speech rate: two minutes stay well under {@link MAX_VOICE_BYTES}. */
const VOICE_BITS_PER_SECOND = 32_000;

type Phase =
  | { readonly kind: 'idle' }
  | { readonly kind: 'recording'; readonly startedAt: number }
  | { readonly kind: 'recorded'; readonly blob: Blob; readonly url: string; readonly ms: number }
  | { readonly kind: 'sending' }
  | { readonly kind: 'sent'; readonly id: string }
  | { readonly kind: 'error'; readonly text: string };

function mimeType(): string {
  for (const m of ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/webm'])
    if (MediaRecorder.isTypeSupported(m)) return m;
  return '';
}

/**
 * Records a voice message with the browser's microphone (MediaRecorder, Opus), lets the
 * specialist listen to it, and sends it signed and sealed to the kit as a 'voice' item of the
 * consultation. Capped in length and bytes; nothing is sent until the specialist says so.
 */
export function VoiceRecorder({ itemId }: { itemId: string }) {
  const state = useConsole();
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const [now, setNow] = useState(Date.now());
  const recorder = useRef<MediaRecorder | null>(null);
  useEffect(() => {
    if (phase.kind !== 'recording') return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    const cap = setTimeout(() => recorder.current?.stop(), MAX_RECORDING_MS);
    return () => {
      clearInterval(timer);
      clearTimeout(cap);
    };
  }, [phase.kind]);
  useEffect(() => () => recorder.current?.stop(), []);
  useEffect(() => {
    if (phase.kind !== 'recorded') return;
    const url = phase.url;
    return () => URL.revokeObjectURL(url);
  }, [phase]);

  const start = async () => {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const type = mimeType();
      const r = new MediaRecorder(stream, {
        ...(type ? { mimeType: type } : {}),
        audioBitsPerSecond: VOICE_BITS_PER_SECOND,
      });
      const chunks: Blob[] = [];
      const startedAt = Date.now();
      r.ondataavailable = (e) => {
        if (e.data.size > 0) chunks.push(e.data);
      };
      r.onstop = () => {
        for (const track of stream.getTracks()) track.stop();
        recorder.current = null;
        const blob = new Blob(chunks, { type: r.mimeType || type });
        setPhase({ kind: 'recorded', blob, url: URL.createObjectURL(blob), ms: Date.now() - startedAt });
      };
      recorder.current = r;
      r.start(500);
      setNow(startedAt);
      setPhase({ kind: 'recording', startedAt });
    } catch (error) {
      setPhase({
        kind: 'error',
        text: t('voiceNoMic', { why: String(error instanceof Error ? error.message : error) }),
      });
    }
  };

  const send = async (blob: Blob) => {
    setPhase({ kind: 'sending' });
    try {
      if (blob.size > MAX_VOICE_BYTES) throw new Error(`${blob.size} > ${MAX_VOICE_BYTES}`);
      const bytes = new Uint8Array(await blob.arrayBuffer());
      setPhase({ kind: 'sent', id: await state.voice(itemId, { bytes, media: blob.type }) });
    } catch (error) {
      setPhase({
        kind: 'error',
        text: t('voiceFailed', { why: String(error instanceof Error ? error.message : error) }),
      });
    }
  };

  const seconds = (ms: number) => Math.max(0, Math.round(ms / 1000));
  return (
    <div class="voice-recorder" data-voice={phase.kind}>
      {phase.kind === 'recording' ? (
        <>
          <p class="recording">{t('voiceRecording', { s: seconds(now - phase.startedAt) })}</p>
          <button type="button" onClick={() => recorder.current?.stop()}>
            {t('voiceStop')}
          </button>
        </>
      ) : phase.kind === 'recorded' ? (
        <>
          <p>{t('voiceLength', { s: seconds(phase.ms) })}</p>
          <audio controls src={phase.url} class="voice-preview" />
          <div class="actions">
            <button type="button" onClick={() => void send(phase.blob)}>
              {t('voiceSend')}
            </button>
            <button type="button" class="link" onClick={() => setPhase({ kind: 'idle' })}>
              {t('voiceDiscard')}
            </button>
          </div>
        </>
      ) : phase.kind === 'sending' ? (
        <p>{t('signing')}</p>
      ) : (
        <>
          {phase.kind === 'sent' ? <ReplyState id={phase.id} kind="voice" /> : null}
          {phase.kind === 'error' ? <p class="error">{phase.text}</p> : null}
          <button type="button" onClick={() => void start()}>
            {t('voiceRecord')}
          </button>
        </>
      )}
    </div>
  );
}
