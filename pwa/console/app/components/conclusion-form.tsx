import { useState } from 'preact/hooks';
import type { RecordRef } from '../../../../runtime/link/items.ts';
import { useDraftField } from '../case/drafts.ts';
import { t } from '../i18n.ts';
import { useConsole } from '../use-console.ts';

/**
 * The structured conclusion: findings, diagnosis with an optional ICD-10 code, recommendations,
 * whether an in-person referral is needed. Signing happens in this browser with the device key;
 * the signature binds every record of the consultation by its SHA-256.
 */
export function ConclusionForm({
  itemId,
  refs,
  state: sent,
}: {
  itemId: string;
  refs: readonly RecordRef[];
  state: 'none' | 'queued' | 'at_hub';
}) {
  const state = useConsole();
  // Kept per consultation while unsent: «← К очереди» and back finds the text as it was left.
  const [text, setText] = useDraftField(itemId, 'findings');
  const [diagnosis, setDiagnosis] = useDraftField(itemId, 'diagnosis');
  const [icd10, setIcd10] = useDraftField(itemId, 'icd10');
  const [recommendations, setRecommendations] = useDraftField(itemId, 'recommendations');
  const [referral, setReferral] = useDraftField(itemId, 'referral');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  if (sent !== 'none')
    return (
      <p class={sent === 'at_hub' ? 'done' : 'done waiting'} data-conclusion={sent}>
        {sent === 'at_hub' ? t('conclusionAtHub') : t('conclusionQueued')}
      </p>
    );
  return (
    <form
      class="conclusion"
      onSubmit={(e) => {
        e.preventDefault();
        if (!text.trim()) return setError(t('conclusionEmpty'));
        setBusy(true);
        setError('');
        state
          .conclude(itemId, {
            text: text.trim(),
            ...(diagnosis.trim() ? { diagnosis: diagnosis.trim() } : {}),
            ...(icd10.trim() ? { icd10: icd10.trim().toUpperCase() } : {}),
            ...(recommendations.trim() ? { recommendations: recommendations.trim() } : {}),
            referral,
            refersTo: [...refs],
          })
          .then(() => {
            for (const clear of [setText, setDiagnosis, setIcd10, setRecommendations]) clear('');
            setReferral(false);
          })
          .catch((err: unknown) =>
            setError(t('conclusionFailed', { why: err instanceof Error ? err.message : String(err) })),
          )
          .finally(() => setBusy(false));
      }}
    >
      <label>
        {t('findings')}
        <textarea name="findings" rows={4} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </label>
      <div class="row">
        <label class="grow">
          {t('diagnosis')}
          <input name="diagnosis" value={diagnosis} onInput={(e) => setDiagnosis(e.currentTarget.value)} />
        </label>
        <label>
          {t('icd10')}
          <input
            name="icd10"
            class="icd"
            pattern="[A-Za-z][0-9]{2}(\.[0-9A-Za-z]{1,2})?"
            value={icd10}
            onInput={(e) => setIcd10(e.currentTarget.value)}
          />
        </label>
      </div>
      <label>
        {t('recommendations')}
        <textarea
          name="recommendations"
          rows={3}
          value={recommendations}
          onInput={(e) => setRecommendations(e.currentTarget.value)}
        />
      </label>
      <label class="check">
        <input
          type="checkbox"
          name="referral"
          checked={referral}
          onChange={(e) => setReferral(e.currentTarget.checked)}
        />
        {t('referral')}
      </label>
      <p class="hint">{t('bindsRecords', { n: refs.length })}</p>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" class="primary" disabled={busy}>
        {busy ? t('signing') : t('signAndSend')}
      </button>
    </form>
  );
}
