import { useState } from 'preact/hooks';

/** What the specialist has typed for one consultation and not sent yet. */
export interface Draft {
  findings: string;
  diagnosis: string;
  icd10: string;
  recommendations: string;
  referral: boolean;
  message: string;
}

const EMPTY: Draft = {
  findings: '',
  diagnosis: '',
  icd10: '',
  recommendations: '',
  referral: false,
  message: '',
};

/** Unsent text by consultation (item id). In this page's memory only: clinical text is not written unencrypted. */
const drafts = new Map<string, Draft>();

function isEmpty(d: Draft): boolean {
  return (
    !d.referral &&
    [d.findings, d.diagnosis, d.icd10, d.recommendations, d.message].every((s) => s.trim() === '')
  );
}

/**
 * Whether any consultation has unsent text. Why: a conclusion half written survives «← К очереди»
 * (it is kept here), so the console must not reload (a new version) while one exists, even when
 * no form shows it.
 */
export function anyDraft(): boolean {
  for (const d of drafts.values()) if (!isEmpty(d)) return true;
  return false;
}

/**
 * One field of a consultation's draft as component state that outlives the component. Why: a
 * specialist who goes back to the queue to check an urgent case, or opens an earlier
 * consultation, finds the conclusion they were writing as they left it, not an empty form.
 */
export function useDraftField<K extends keyof Draft>(
  itemId: string,
  field: K,
): [Draft[K], (value: Draft[K]) => void] {
  const [value, setValue] = useState<Draft[K]>(() => drafts.get(itemId)?.[field] ?? EMPTY[field]);
  const set = (next: Draft[K]) => {
    const d = { ...(drafts.get(itemId) ?? EMPTY), [field]: next };
    if (isEmpty(d)) drafts.delete(itemId);
    else drafts.set(itemId, d);
    setValue(next);
  };
  return [value, set];
}
