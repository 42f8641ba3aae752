import { useState } from 'preact/hooks';
import { news2 } from '../../../shared/news2.ts';
import { news2InputOf } from '../../../shared/vitals.ts';
import { codeName, valueText, valueUnit } from '../format.ts';
import { useCell } from '../state/cell.ts';
import { useApp, useWords } from '../state/context.ts';
import { displayEntries, visitObservations } from '../state/visit-model.ts';
import { useSpo2Scale } from './visit-screen.tsx';

const SPECIALTIES = [
  'therapy',
  'cardiology',
  'neurology',
  'pulmonology',
  'pediatrics',
  'surgery',
  'traumatology',
  'endocrinology',
  'infectious',
  'obstetrics',
  'dermatology',
  'psychiatry',
  'other',
] as const;
const NAMES: Record<(typeof SPECIALTIES)[number], [string, string]> = {
  therapy: ['терапевт', 'general practice'],
  cardiology: ['кардиолог', 'cardiology'],
  neurology: ['невролог', 'neurology'],
  pulmonology: ['пульмонолог', 'pulmonology'],
  pediatrics: ['педиатр', 'paediatrics'],
  surgery: ['хирург', 'surgery'],
  traumatology: ['травматолог', 'traumatology'],
  endocrinology: ['эндокринолог', 'endocrinology'],
  infectious: ['инфекционист', 'infectious diseases'],
  obstetrics: ['акушер-гинеколог', 'obstetrics'],
  dermatology: ['дерматолог', 'dermatology'],
  psychiatry: ['психиатр', 'psychiatry'],
  other: ['другая', 'other'],
};

/** The consultation request: the question, the specialty, urgency, and what goes with it. */
export function ConsultComposer({ visitId }: { visitId: string }) {
  const app = useApp();
  const w = useWords();
  const open = useCell(app.visit);
  const queue = useCell(app.queue);
  const [scale] = useSpo2Scale(visitId);
  const entries = open && open.view.visit.id === visitId ? displayEntries(open.view, queue, null) : [];
  const kit = entries.filter((e) => e.place === 'kit');
  const readings = kit.flatMap((e) => (e.observation ? [e.observation] : []));
  const files = kit.flatMap((e) => (e.attachment ? [e.attachment] : []));
  const score = news2(news2InputOf(visitObservations(entries), scale).input);
  const [question, setQuestion] = useState('');
  const [specialty, setSpecialty] = useState<(typeof SPECIALTIES)[number]>('therapy');
  const [urgency, setUrgency] = useState<'urgent' | 'routine'>(score.proposeUrgent ? 'urgent' : 'routine');
  const [skip, setSkip] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string) =>
    setSkip((s) => (s.has(id) ? new Set([...s].filter((x) => x !== id)) : new Set([...s, id])));

  const send = async (e: Event) => {
    e.preventDefault();
    await app.sendConsultation(visitId, {
      question: question.trim(),
      specialty,
      urgency,
      observationIds: readings.map((o) => o.id).filter((id) => !skip.has(id)),
      attachmentIds: files.map((a) => a.id).filter((id) => !skip.has(id)),
      news2Total: score.total,
    });
    app.navigate({ name: 'visit', id: visitId }, true);
  };

  return (
    <form class="screen consult" data-testid="consult-composer" onSubmit={(e) => void send(e)}>
      <h1>{w.t('consult')}</h1>
      <label class="field">
        <span>{w.t('question')}</span>
        <textarea
          rows={5}
          required
          data-testid="consult-question"
          value={question}
          onInput={(e) => setQuestion(e.currentTarget.value)}
        />
      </label>
      <label class="field">
        <span>{w.t('specialty')}</span>
        <select
          data-testid="consult-specialty"
          value={specialty}
          onChange={(e) => setSpecialty(e.currentTarget.value as (typeof SPECIALTIES)[number])}
        >
          {SPECIALTIES.map((s) => (
            <option key={s} value={s}>
              {NAMES[s][w.locale === 'ru' ? 0 : 1]}
            </option>
          ))}
        </select>
      </label>
      <fieldset class="field choice">
        <legend>{w.t('urgency')}</legend>
        {(['urgent', 'routine'] as const).map((u) => (
          <label key={u} class={urgency === u ? 'chip on' : 'chip'} data-testid={`urgency-${u}`}>
            <input type="radio" name="urgency" checked={urgency === u} onChange={() => setUrgency(u)} />
            {u === 'urgent' ? '⚑ ' : ''}
            {w.t(u)}
          </label>
        ))}
        {score.proposeUrgent && (
          <span class="urgent-note">
            {w.t('urgentProposed')} (NEWS2 {score.total})
          </span>
        )}
      </fieldset>
      <fieldset class="field">
        <legend>
          {w.t('include')}: {w.n('readingsCount', readings.filter((o) => !skip.has(o.id)).length)},{' '}
          {w.n('attachmentsCount', files.filter((a) => !skip.has(a.id)).length)}
        </legend>
        {readings.map((o) => (
          <label key={o.id} class="check">
            <input type="checkbox" checked={!skip.has(o.id)} onChange={() => toggle(o.id)} />
            {codeName(w, o)}: {valueText(w, o)} {valueUnit(w, o)}
          </label>
        ))}
        {files.map((a) => (
          <label key={a.id} class="check">
            <input type="checkbox" checked={!skip.has(a.id)} onChange={() => toggle(a.id)} />
            {w.t(a.kind === 'photo' ? 'photo' : 'voiceNote')}
          </label>
        ))}
      </fieldset>
      <div class="actions">
        <button type="button" onClick={() => history.back()}>
          {w.t('cancel')}
        </button>
        <button type="submit" class="primary" data-testid="consult-send" disabled={!question.trim()}>
          {w.t('send')}
        </button>
      </div>
    </form>
  );
}
