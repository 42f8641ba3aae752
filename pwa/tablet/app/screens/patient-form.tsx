import { useState } from 'preact/hooks';
import type { WirePatient } from '../../../../runtime/http/api/wire-types.ts';
import type { TextKey } from '../../../shared/i18n/i18n.ts';
import { KitRefusal } from '../net/api.ts';
import { useApp, useWords } from '../state/context.ts';

type Form = Omit<WirePatient, 'id' | 'createdAt'>;
const EMPTY: Form = {
  familyName: '',
  givenName: '',
  middleName: null,
  birthDate: null,
  sex: 'unknown',
  snils: null,
  oms: null,
  address: null,
  phone: null,
};
const FIELDS: readonly { key: keyof Form; label: TextKey; type?: string; mode?: string }[] = [
  { key: 'familyName', label: 'familyName' },
  { key: 'givenName', label: 'givenName' },
  { key: 'middleName', label: 'middleName' },
  { key: 'birthDate', label: 'birthDate', type: 'date' },
  { key: 'snils', label: 'snils', mode: 'numeric' },
  { key: 'oms', label: 'oms', mode: 'numeric' },
  { key: 'address', label: 'address' },
  { key: 'phone', label: 'phone', type: 'tel' },
];

/** A new patient on the spot: saved on the kit (so every tablet finds them), then opened. */
export function PatientForm() {
  const app = useApp();
  const w = useWords();
  const [form, setForm] = useState<Form>(EMPTY);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (key: keyof Form, value: string) =>
    setForm((f) => ({ ...f, [key]: value === '' ? null : value }));

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const p = await app.createPatient({ ...form, givenName: form.givenName ?? '' });
      app.navigate({ name: 'patient', id: p.id }, true);
    } catch (err) {
      setError(err instanceof KitRefusal ? w.t('errorSaving', { reason: err.message }) : w.t('needsKit'));
      setBusy(false);
    }
  };

  return (
    <form class="screen patient-form" onSubmit={(e) => void submit(e)} data-testid="patient-form">
      <h1>{w.t('newPatient')}</h1>
      <div class="form-grid">
        {FIELDS.map((f) => (
          <label key={f.key} class="field">
            <span>{w.t(f.label)}</span>
            <input
              name={f.key}
              type={f.type ?? 'text'}
              inputMode={f.mode as 'numeric' | undefined}
              required={f.key === 'familyName'}
              value={form[f.key] ?? ''}
              onInput={(e) => set(f.key, e.currentTarget.value)}
            />
          </label>
        ))}
        <fieldset class="field choice">
          <legend>{w.t('sex')}</legend>
          {(['female', 'male', 'unknown'] as const).map((s) => (
            <label key={s} class={form.sex === s ? 'chip on' : 'chip'}>
              <input
                type="radio"
                name="sex"
                value={s}
                checked={form.sex === s}
                onChange={() => setForm((f) => ({ ...f, sex: s }))}
              />
              {w.t(s === 'female' ? 'sexFemale' : s === 'male' ? 'sexMale' : 'sexUnknown')}
            </label>
          ))}
        </fieldset>
      </div>
      {error && (
        <p class="notice" role="alert">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="button" onClick={() => history.back()}>
          {w.t('cancel')}
        </button>
        <button type="submit" class="primary" disabled={busy} data-testid="save-patient">
          {w.t('save')}
        </button>
      </div>
    </form>
  );
}
