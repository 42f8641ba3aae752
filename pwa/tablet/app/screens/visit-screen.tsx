import { useEffect, useState } from 'preact/hooks';
import { news2 } from '../../../shared/news2.ts';
import { news2InputOf } from '../../../shared/vitals.ts';
import { Answers } from '../components/answers.tsx';
import { Capture } from '../components/capture.tsx';
import { FhirDownload } from '../components/fhir-download.tsx';
import { Journal } from '../components/journal.tsx';
import { LivePanel } from '../components/live-panel.tsx';
import { ManualEntry } from '../components/manual-entry.tsx';
import { News2Panel } from '../components/news2-panel.tsx';
import { Strip } from '../components/strip.tsx';
import { TextEntries } from '../components/text-entries.tsx';
import { ageOf, fullName } from '../format.ts';
import { useCell } from '../state/cell.ts';
import { useApp, useWords } from '../state/context.ts';
import { displayEntries, visitObservations } from '../state/visit-model.ts';

/** The scale-2 choice of a visit, remembered on this tablet. */
export function useSpo2Scale(visitId: string): [1 | 2, (s: 1 | 2) => void] {
  const key = `fieldkit.spo2scale.${visitId}`;
  const [scale, setScale] = useState<1 | 2>(() => (localStorage.getItem(key) === '2' ? 2 : 1));
  return [scale, (s) => (localStorage.setItem(key, String(s)), setScale(s))];
}

/** The house call: instruments live, readings kept with one tap, manual vitals, NEWS2, notes, media. */
export function VisitScreen({ id }: { id: string }) {
  const app = useApp();
  const w = useWords();
  const open = useCell(app.visit);
  const queue = useCell(app.queue);
  const sending = useCell(app.sending);
  const [error, setError] = useState<string | null>(null);
  const [scale, setScale] = useSpo2Scale(id);
  useEffect(() => {
    app.loadVisit(id).catch(() => setError(w.t('needsKit')));
  }, [id]);

  if (!open || open.view.visit.id !== id)
    return (
      <section class="screen">{error ? <p class="notice">{error}</p> : <p class="loading">…</p>}</section>
    );
  const { view } = open;
  const entries = displayEntries(view, queue, sending);
  const result = news2(news2InputOf(visitObservations(entries), scale).input);
  const p = view.patient;
  const closed = view.visit.status === 'closed';

  return (
    <section class="screen visit" data-testid="visit-screen" data-visit-id={id}>
      <div class="visit-head">
        <h1>
          {p ? fullName(p) : w.t('visit')}
          {p?.birthDate && <span class="sub"> · {w.n('age', ageOf(p.birthDate))}</span>}
        </h1>
        <span class={`tag ${closed ? 'closed' : 'open'}`}>{w.t(closed ? 'visitClosed' : 'visitOpen')}</span>
        <span class="bar-end">
          <button
            type="button"
            class={result.proposeUrgent ? 'primary urgent' : 'primary'}
            data-testid="open-consult"
            onClick={() => app.navigate({ name: 'consult', visitId: id })}
          >
            {w.t('consult')}
          </button>
          <FhirDownload visitId={id} />
          {!closed && (
            <button type="button" onClick={() => app.closeVisit()}>
              {w.t('closeVisit')}
            </button>
          )}
        </span>
      </div>
      {view.damaged.length > 0 && <p class="notice">{w.t('damaged', { ids: view.damaged.join(', ') })}</p>}
      {result.emergency && (
        <p class="emergency" role="alert" data-testid="news2-emergency">
          ⚠ {w.t('news2Emergency', { n: result.total })}
        </p>
      )}
      <div class="visit-grid">
        <div class="col">
          <LivePanel visitId={id} entries={entries} />
          <Strip />
          <ManualEntry visitId={id} />
        </div>
        <div class="col">
          <News2Panel result={result} scale={scale} onScale={setScale} />
          <Answers
            consultations={view.entries.flatMap((e) => (e.consultation ? [e.consultation] : []))}
            answers={view.answers}
          />
          <TextEntries visitId={id} entries={entries} />
          <Capture visitId={id} />
          <Journal entries={entries} />
        </div>
      </div>
    </section>
  );
}
