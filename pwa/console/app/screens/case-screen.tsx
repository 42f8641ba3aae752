import { useEffect, useState } from 'preact/hooks';
import type { CaseContent } from '../case/consultation.ts';
import { readCase } from '../case/consultation.ts';
import { useDraftField } from '../case/drafts.ts';
import { CaseMedia } from '../components/case-media.tsx';
import { ConclusionForm } from '../components/conclusion-form.tsx';
import { VoiceRecorder } from '../components/voice-recorder.tsx';
import { EarlierConsultations } from '../components/earlier-consultations.tsx';
import { EcgCanvas } from '../components/ecg-canvas.tsx';
import { LivePanel } from '../live/live-panel.tsx';
import { VitalsTable } from '../components/vitals-table.tsx';
import { clock, patientLine } from '../format.ts';
import { t } from '../i18n.ts';
import { ReplyState } from '../components/reply-state.tsx';
import { useConsole } from '../use-console.ts';

/** One consultation: who and what, the vitals with NEWS2, the ECG, the question, the answer. */
export function CaseScreen({ itemId }: { itemId: string }) {
  const state = useConsole();
  const consultation = state.consultations().find((c) => c.itemId === itemId);
  const [content, setContent] = useState<CaseContent | null>(null);
  const [error, setError] = useState('');
  const [message, setMessage] = useDraftField(itemId, 'message');
  const [messageId, setMessageId] = useState<string | null>(null);
  useEffect(() => {
    if (!consultation) return;
    readCase(consultation.item.body)
      .then(setContent)
      .catch((e: unknown) => setError(String(e instanceof Error ? e.message : e)));
  }, [consultation?.item.envelopeId]);
  if (!consultation) return null;
  const kitName = state.directory?.identity(consultation.item.from)?.name ?? consultation.item.from;
  return (
    <section class="case" data-case={itemId}>
      <div class="case-head">
        <button type="button" class="link" onClick={() => void state.open(null)}>
          {t('backToQueue')}
        </button>
        <h2>
          {t('caseTitle')}{' '}
          <span class={`urgency ${consultation.urgency}`}>
            {consultation.urgency === 'urgent' ? t('urgent') : t('routine')}
          </span>
        </h2>
      </div>
      <div class="grid">
        <div class="card">
          <h3>{t('patient')}</h3>
          <p class="big">{patientLine(consultation.patient)}</p>
          <p>
            {t('fromKit')}: {kitName} · {t('sentAt')}: {clock(consultation.sentAt)}
          </p>
          {!consultation.item.verified ? (
            <p class="error">{t('unverified', { why: consultation.item.reasons.join('; ') })}</p>
          ) : null}
          <h3>{t('question')}</h3>
          <p class="question-text">{consultation.question}</p>
        </div>
        <div class="card">
          <h3>{t('vitals')}</h3>
          {content ? <VitalsTable observations={content.observations} /> : null}
        </div>
      </div>
      <LivePanel state={state} kit={consultation.item.from} consultation={itemId} />
      <div class="card">
        <h3>{t('ecg')}</h3>
        {content && content.ecg.length > 0 ? (
          content.ecg.map((strip, i) => <EcgCanvas key={i} strip={strip} />)
        ) : (
          <p class="empty">{t('ecgNone')}</p>
        )}
      </div>
      <div class="card">
        <h3>{t('earlierTitle')}</h3>
        {content ? (
          <EarlierConsultations
            ids={content.body.earlier ?? []}
            all={state.consultations()}
            onOpen={(id) => void state.open(id)}
          />
        ) : null}
      </div>
      <div class="card">
        <h3>{t('mediaTitle')}</h3>
        {content ? (
          <CaseMedia ids={content.body.attachments} items={state.attachmentsOf(content.body.attachments)} />
        ) : null}
      </div>
      {error ? <p class="error">{error}</p> : null}
      <div class="grid">
        <div class="card">
          <h3>{t('conclusion')}</h3>
          {consultation.claimedBy && !consultation.claimed ? (
            <p class="warning held-by-other">
              {t('heldByOther', { name: state.nameOf(consultation.claimedBy) })}
            </p>
          ) : content ? (
            <ConclusionForm itemId={itemId} refs={content.refs} state={consultation.conclusion} />
          ) : null}
        </div>
        {state.replyRefusals.has(itemId) || (consultation.claimedBy && !consultation.claimed) ? (
          <div class="card reply-blocked" data-reply="blocked">
            <h3>{t('message')}</h3>
            <p class="warning">
              {state.replyRefusals.get(itemId) ??
                t('replyBlocked', { name: state.nameOf(consultation.claimedBy ?? '') })}
            </p>
          </div>
        ) : (
          <form
            class="card"
            onSubmit={(e) => {
              e.preventDefault();
              if (!message.trim()) return;
              void state.message(itemId, message.trim()).then((id) => {
                setMessage('');
                setMessageId(id);
              });
            }}
          >
            <h3>{t('message')}</h3>
            <textarea
              name="message"
              rows={3}
              value={message}
              onInput={(e) => setMessage(e.currentTarget.value)}
            />
            {messageId ? <ReplyState id={messageId} kind="message" /> : null}
            <button type="submit">{t('sendMessage')}</button>
            <VoiceRecorder itemId={itemId} />
          </form>
        )}
      </div>
    </section>
  );
}
