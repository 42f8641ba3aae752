import { useEffect, useState } from 'preact/hooks';
import type { WirePatient } from '../../../../runtime/http/api/wire-types.ts';
import { ageOf, dateText, fullName, snilsText } from '../format.ts';
import { useApp, useWords } from '../state/context.ts';

/** The first screen: find a patient by name, СНИЛС or полис ОМС, or add one on the spot. */
export function PatientList() {
  const app = useApp();
  const w = useWords();
  const [q, setQ] = useState('');
  const [found, setFound] = useState<readonly WirePatient[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (q.trim().length < 2) {
      setFound(null);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      app.searchPatients(q).then(
        (r) => live && (setFound(r.patients), setError(null)),
        () => live && setError(w.t('needsKit')),
      );
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [q]);

  return (
    <section class="screen patients">
      <h1>{w.t('patients')}</h1>
      <div class="search-row">
        <input
          type="search"
          class="search"
          data-testid="patient-search"
          placeholder={w.t('searchPlaceholder')}
          value={q}
          onInput={(e) => setQ(e.currentTarget.value)}
          autoFocus
        />
        <button
          type="button"
          class="primary"
          data-testid="new-patient"
          onClick={() => app.navigate({ name: 'new-patient' })}
        >
          + {w.t('newPatient')}
        </button>
      </div>
      {error && <p class="notice">{error}</p>}
      {found === null && !error && <p class="hint">{w.t('searchHint')}</p>}
      {found?.length === 0 && <p class="hint">{w.t('noMatches')}</p>}
      <ul class="patient-list" data-testid="patient-results">
        {found?.map((p) => (
          <li key={p.id}>
            <button
              type="button"
              class="patient-row"
              onClick={() => app.navigate({ name: 'patient', id: p.id })}
            >
              <span class="patient-name">{fullName(p)}</span>
              <span class="patient-meta">
                {p.birthDate && `${dateText(w, p.birthDate)} · ${w.n('age', ageOf(p.birthDate))}`}
                {p.snils && ` · ${w.t('snils')} ${snilsText(p.snils)}`}
              </span>
              {p.address && <span class="patient-meta">{p.address}</span>}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
