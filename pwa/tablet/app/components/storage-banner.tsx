import { useState } from 'preact/hooks';
import { useCell } from '../state/cell.ts';
import { useApp, useWords } from '../state/context.ts';

function mb(bytes: number | null): string {
  if (bytes === null) return '—';
  const v = bytes / 1024 / 1024;
  return v < 10 ? v.toFixed(1) : String(Math.round(v));
}

/**
 * Readings not being stored on the kit (and how many were lost), or its disk running low: shown
 * under the status bar on every screen. After writing resumes, the count stays until someone
 * taps "understood", because those measurements must be taken again.
 */
export function StorageBanner() {
  const app = useApp();
  const w = useWords();
  const { storage, storeError } = useCell(app.live);
  const [understood, setUnderstood] = useState(0);
  if (!storage) return null;
  const lost = storage.notStoredTotal;
  return (
    <div
      class="storage"
      data-testid="storage"
      data-writable={String(storage.writable)}
      data-not-stored={lost}
    >
      {!storage.writable && (
        <p class="emergency" role="alert">
          {w.t('storeFailing')} {w.t('notStoredCount')}: <b class="count">{lost}</b>
          {storeError && <span class="detail"> {storeError}</span>}
        </p>
      )}
      {storage.writable && lost > understood && (
        <p class="notice" role="status">
          {w.t('storeResumed')} {w.t('notStoredCount')}: <b class="count">{lost}</b>. {w.t('remeasure')}{' '}
          <button type="button" onClick={() => setUnderstood(lost)}>
            {w.t('understood')}
          </button>
        </p>
      )}
      {storage.lowSpace && (
        <p class="notice" role="status" data-testid="low-space">
          {w.t('lowSpace')}: <b>{mb(storage.freeBytes)}</b> {w.t('mb')}
        </p>
      )}
    </div>
  );
}
