import { useEffect, useState } from 'preact/hooks';
import { useCell } from '../state/cell.ts';
import { useApp, useWords } from '../state/context.ts';

/**
 * The service worker's news, in words: "saved on this tablet, works offline" once after the
 * first install (for a few seconds), and "an update is ready" while it waits for the visit to end.
 */
export function WorkerNotice() {
  const app = useApp();
  const w = useWords();
  const worker = useCell(app.worker);
  const [showReady, setShowReady] = useState(false);
  useEffect(() => {
    if (!worker.offlineReady) return;
    setShowReady(true);
    const t = setTimeout(() => setShowReady(false), 8000);
    return () => clearTimeout(t);
  }, [worker.offlineReady]);
  return (
    <>
      {showReady && (
        <p class="toast" role="status" data-testid="offline-ready">
          ✓ {w.t('offlineReady')}
        </p>
      )}
      {worker.updateWaiting && (
        <p class="notice" role="status" data-testid="update-waiting">
          {w.t('updateReady')}
        </p>
      )}
    </>
  );
}
