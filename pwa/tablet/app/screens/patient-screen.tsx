import { useEffect, useState } from 'preact/hooks';
import type { WirePatientView } from '../../../../runtime/http/api/wire-types.ts';
import { ageOf, dateText, fullName, snilsText } from '../format.ts';
import { useApp, useWords } from '../state/context.ts';

/** A patient: who they are, their visits, and "start visit". */
export function PatientScreen({ id }: { id: string }) {
  const app = useApp();
  const w = useWords();
  const [view, setView] = useState<WirePatientView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    app.patient(id).then(setView, () => setError(w.t('needsKit')));
  }, [id]);

  const start = async () => {
    try {
      const v = await app.openVisit(id);
      app.navigate({ name: 'visit', id: v.id });
    } catch {
      setError(w.t('needsKit'));
    }
  };

  if (!view)
    return (
      <section class="screen">{error ? <p class="notice">{error}</p> : <p class="loading">…</p>}</section>
    );
  const p = view.patient;
  return (
    <section class="screen patient">
      <h1 data-testid="patient-name">{fullName(p)}</h1>
      <p class="patient-meta">
        {p.birthDate && `${dateText(w, p.birthDate)} · ${w.n('age', ageOf(p.birthDate))}`}
        {p.snils && ` · ${w.t('snils')} ${snilsText(p.snils)}`}
        {p.oms && ` · ${w.t('oms')} ${p.oms}`}
      </p>
      {p.address && <p class="patient-meta">{p.address}</p>}
      {p.phone && <p class="patient-meta">{p.phone}</p>}
      {error && <p class="notice">{error}</p>}
      <button type="button" class="primary big" data-testid="open-visit" onClick={() => void start()}>
        {w.t('openVisit')}
      </button>
      <h2>{w.t('visits')}</h2>
      <ul class="visit-list">
        {view.visits.map((v) => (
          <li key={v.id}>
            <button
              type="button"
              class="patient-row"
              onClick={() => app.navigate({ name: 'visit', id: v.id })}
            >
              {dateText(w, v.openedAt)} · {w.t(v.status === 'open' ? 'visitOpen' : 'visitClosed')}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
