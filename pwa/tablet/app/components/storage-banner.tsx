import { useState } from 'preact/hooks';
import type { WireStorage } from '../../../../runtime/http/wire.ts';
import { useCell } from '../state/cell.ts';
import { useApp, useWords } from '../state/context.ts';

/** Megabytes in the locale's own digits ("3,5" in Russian). */
function mb(bytes: number | null, tag: string): string {
  if (bytes === null) return '—';
  const v = bytes / 1024 / 1024;
  return v.toLocaleString(tag, { maximumFractionDigits: v < 10 ? 1 : 0 });
}

/**
 * Why writes fail, in the catalogue's words: the disk is full when it is below the warning
 * threshold (the usual cause), otherwise the store itself. The kit's own message is a technical
 * English line for the logs; the tablet keeps it only in an attribute, not on screen.
 */
function causeKey(storage: WireStorage): 'storeCauseDiskFull' | 'storeCauseUnknown' {
  const low =
    storage.lowSpace || (storage.freeBytes !== null && storage.freeBytes < storage.lowSpaceThresholdBytes);
  return low ? 'storeCauseDiskFull' : 'storeCauseUnknown';
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
          <span class="detail" data-testid="store-cause" data-error={storeError ?? undefined}>
            {w.t(causeKey(storage), { free: mb(storage.freeBytes, w.tag) })}
          </span>
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
          {w.t('lowSpace')}: <b>{mb(storage.freeBytes, w.tag)}</b> {w.t('mb')}
        </p>
      )}
    </div>
  );
}
