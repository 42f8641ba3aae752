import { useRef, useState } from 'preact/hooks';
import { useApp, useWords } from '../state/context.ts';

/** The recording format: Opus in WebM where the browser has it, else AAC in MP4 (Safari). */
export function voiceMimeType(): string | undefined {
  return ['audio/webm;codecs=opus', 'audio/mp4'].find((t) => MediaRecorder.isTypeSupported(t));
}

/** A photo from the tablet's camera and a voice note from its microphone, kept in the visit. */
export function Capture({ visitId }: { visitId: string }) {
  const app = useApp();
  const w = useWords();
  const recorder = useRef<MediaRecorder | null>(null);
  const [recording, setRecording] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const startVoice = async () => {
    setError(null);
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const mimeType = voiceMimeType();
      const r = new MediaRecorder(stream, mimeType ? { mimeType } : {});
      const parts: Blob[] = [];
      r.ondataavailable = (e) => e.data.size > 0 && parts.push(e.data);
      r.onstop = () => {
        stream.getTracks().forEach((t) => t.stop());
        const blob = new Blob(parts, { type: (r.mimeType || mimeType) ?? 'audio/webm' });
        if (blob.size > 0) void app.addAttachment(visitId, 'voice', blob);
        setRecording(false);
      };
      r.start(1000);
      recorder.current = r;
      setRecording(true);
    } catch {
      setError(w.t('noMicrophone'));
    }
  };

  return (
    <section class="panel capture">
      <h2>{w.t('attachments')}</h2>
      <div class="chips">
        <label class="button primary" data-testid="photo-label">
          {w.t('photo')}
          <input
            type="file"
            accept="image/*"
            capture="environment"
            class="visually-hidden"
            data-testid="photo-input"
            onChange={(e) => {
              const file = e.currentTarget.files?.[0];
              if (file) void app.addAttachment(visitId, 'photo', file);
              e.currentTarget.value = '';
            }}
          />
        </label>
        {recording ? (
          <button
            type="button"
            class="primary recording"
            data-testid="voice-stop"
            onClick={() => recorder.current?.stop()}
          >
            ■ {w.t('stopRecording')} <span class="rec">● {w.t('recording')}</span>
          </button>
        ) : (
          <button type="button" class="primary" data-testid="voice-start" onClick={() => void startVoice()}>
            {w.t('record')}
          </button>
        )}
      </div>
      {error && <p class="notice">{error}</p>}
    </section>
  );
}
