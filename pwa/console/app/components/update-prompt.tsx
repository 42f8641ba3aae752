import { useEffect, useState } from 'preact/hooks';
import { anyDraft } from '../case/drafts.ts';
import { t } from '../i18n.ts';
import { workerUpdate } from '../sw-update.ts';
import { useConsole } from '../use-console.ts';

/** What a specialist has typed and not sent: a conclusion or a message (its text fields). */
const DRAFT_FIELDS = 'main form textarea, main form.conclusion input:not([type="checkbox"])';

function hasDraft(): boolean {
  if (anyDraft()) return true; // kept for a consultation not on screen
  for (const field of document.querySelectorAll<HTMLTextAreaElement | HTMLInputElement>(DRAFT_FIELDS))
    if (field.value.trim() !== '') return true;
  return false;
}

/**
 * «Доступна новая версия консоли — обновить» while a new service worker waits. Not while a
 * conclusion or message has unsent text (the reload would lose it): the offer comes back once
 * that text is sent or cleared (a draft kept for a consultation not on screen counts too).
 */
export function UpdatePrompt() {
  useConsole(); // re-rendered on every state change (a sent answer, a case closed)
  const [available, setAvailable] = useState(workerUpdate.available);
  const [, recheck] = useState(0);
  useEffect(() => {
    const off = workerUpdate.subscribe(() => setAvailable(workerUpdate.available));
    // Offered between the first render and this subscription (effects run after paint).
    setAvailable(workerUpdate.available);
    return off;
  }, []);
  useEffect(() => {
    if (!available) return;
    const check = () => recheck((n) => n + 1);
    document.addEventListener('input', check, true);
    // A sent form clears its fields without an input event.
    const timer = setInterval(check, 1000);
    return () => {
      document.removeEventListener('input', check, true);
      clearInterval(timer);
    };
  }, [available]);
  if (!available || hasDraft()) return null;
  return (
    <button type="button" class="update-prompt" data-update="waiting" onClick={() => workerUpdate.apply()}>
      {t('updateReady')}
    </button>
  );
}
