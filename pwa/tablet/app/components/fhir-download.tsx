import { useState } from 'preact/hooks';
import { KitRefusal } from '../net/api.ts';
import { useCell } from '../state/cell.ts';
import { useApp, useWords } from '../state/context.ts';

/**
 * A doctor's tablet downloads the visit as a FHIR R4 transaction Bundle (the same bytes as
 * `fieldkit export --fhir --visit`), for the clinic's record system. The token travels in the
 * Authorization header, so the file is fetched by the app and then saved; shown only to a tablet
 * paired as a doctor (the kit refuses other roles all the same).
 */
export function FhirDownload({ visitId }: { visitId: string }) {
  const app = useApp();
  const w = useWords();
  const tablet = useCell(app.session.tablet);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  if (tablet?.role !== 'doctor') return null;
  const download = async (): Promise<void> => {
    setBusy(true);
    setFailure(null);
    try {
      const blob = await app.downloadFhir(visitId);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `${visitId}.fhir.json`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (error) {
      setFailure(error instanceof KitRefusal ? error.message : w.t('needsKit'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" data-testid="fhir-download" disabled={busy} onClick={() => void download()}>
        {w.t(busy ? 'fhirDownloading' : 'fhirDownload')}
      </button>
      {failure && (
        <p class="notice" role="alert" data-testid="fhir-failed">
          {w.t('fhirFailed', { reason: failure })}
        </p>
      )}
    </>
  );
}
