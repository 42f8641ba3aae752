import { useEffect, useState } from 'preact/hooks';
import { useApp, useWords } from '../state/context.ts';
import { currentComplaints, type DisplayEntry } from '../state/visit-model.ts';

/** Complaints (one text, revised as the visit goes) and notes (added one by one). */
export function TextEntries({ visitId, entries }: { visitId: string; entries: readonly DisplayEntry[] }) {
  const app = useApp();
  const w = useWords();
  const saved = currentComplaints(entries);
  const [complaints, setComplaints] = useState(saved);
  const [note, setNote] = useState('');
  useEffect(() => setComplaints(saved), [saved]);
  return (
    <section class="panel texts">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (complaints !== saved) void app.addEntry(visitId, { kind: 'complaints', text: complaints });
        }}
      >
        <label class="field">
          <span>{w.t('complaints')}</span>
          <textarea
            rows={3}
            data-testid="complaints"
            value={complaints}
            onInput={(e) => setComplaints(e.currentTarget.value)}
          />
        </label>
        <button type="submit" class="primary" disabled={complaints === saved}>
          {w.t('save')}
        </button>
      </form>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!note.trim()) return;
          void app.addEntry(visitId, { kind: 'note', text: note.trim() });
          setNote('');
        }}
      >
        <label class="field">
          <span>{w.t('notes')}</span>
          <textarea
            rows={2}
            data-testid="note"
            placeholder={w.t('notePlaceholder')}
            value={note}
            onInput={(e) => setNote(e.currentTarget.value)}
          />
        </label>
        <button type="submit" class="primary" data-testid="add-note" disabled={!note.trim()}>
          {w.t('addNote')}
        </button>
      </form>
    </section>
  );
}
