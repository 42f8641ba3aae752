import { useState } from 'preact/hooks';
import { duration, t } from '../i18n.ts';
import { clock, patientLine } from '../format.ts';
import type { QueueRow as Row } from '../queue/queue.ts';
import { orderQueue } from '../queue/queue.ts';
import type { Consultation, ConsoleState } from '../state.ts';
import { useConsole, useNow } from '../use-console.ts';

/**
 * Rows drawn at first, and added per «Показать ещё»: a specialist works from the top of the
 * queue, and a thousand rows drawn on every change cost a thousand rows of layout each time.
 */
export const QUEUE_PAGE = 100;

function QueueRow({ row, now, state }: { row: Row<Consultation>; now: number; state: ConsoleState }) {
  const c = row.entry;
  return (
    <tr
      class={`${c.urgency} ${row.overdue ? 'overdue' : ''}`}
      data-item={c.itemId}
      data-urgency={c.urgency}
      data-overdue={row.overdue ? 'yes' : 'no'}
    >
      <td>
        <span class={`urgency ${c.urgency}`}>{c.urgency === 'urgent' ? t('urgent') : t('routine')}</span>
      </td>
      <td>{patientLine(c.patient)}</td>
      <td class="question">{c.question}</td>
      <td>{duration(row.waitingMs)}</td>
      <td class="deadline">
        <div>{clock(row.dueAt, now)}</div>
        <div class={row.overdue ? 'late' : 'left'}>
          {row.overdue
            ? t('overdueBy', { d: duration(row.overdueMs) })
            : t('dueIn', { d: duration(row.remainingMs) })}
        </div>
      </td>
      <td class="holder" data-claimed-by={c.claimedBy ?? ''}>
        {c.claimed
          ? t('statusClaimed')
          : c.claimedBy
            ? t('takenBy', { name: state.nameOf(c.claimedBy) })
            : t('statusNew')}
        {c.assignedBy ? (
          <div class="hint">{t('assignedNote', { name: state.nameOf(c.assignedBy) })}</div>
        ) : null}
        {!c.item.verified ? (
          <div class="late">{t('unverified', { why: c.item.reasons[0] ?? '' })}</div>
        ) : null}
      </td>
      <td>
        <div class="actions">
          {c.claimedBy === null ? (
            <button type="button" onClick={() => void state.claim(c.itemId)}>
              {t('claim')}
            </button>
          ) : null}
          <button type="button" onClick={() => void state.open(c.itemId)}>
            {t('open')}
          </button>
        </div>
      </td>
    </tr>
  );
}

/**
 * The queue: urgent first, then by waiting time, with each answer deadline and what is overdue.
 * Only the first rows are drawn ({@link QUEUE_PAGE}, more on request); the count is stated.
 * Without the hub it shows the last known list, said to be so.
 */
export function QueueScreen() {
  const state = useConsole();
  const now = useNow();
  const [shown, setShown] = useState(QUEUE_PAGE);
  const rows = orderQueue(state.consultations(), now, state.deadlines);
  const visible = rows.length > shown ? rows.slice(0, shown) : rows;
  return (
    <section class="card" data-queue-count={rows.length}>
      <h2>{t('queueTitle')}</h2>
      <p class="hint">
        {t('deadlines', {
          urgent: duration(state.deadlines.urgentMs),
          routine: duration(state.deadlines.routineMs),
        })}
      </p>
      {state.hub.state === 'down' ? (
        <p class="warning stale" data-stale="yes">
          {t('queueStale', { at: state.casesAt ? clock(state.casesAt, now) : '—' })}
        </p>
      ) : null}
      {state.notice ? <p class="error notice">{state.notice}</p> : null}
      {rows.length === 0 ? (
        <p class="empty">{t('queueEmpty')}</p>
      ) : (
        <table class="queue">
          <thead>
            <tr>
              <th>{t('colUrgency')}</th>
              <th>{t('colPatient')}</th>
              <th>{t('colQuestion')}</th>
              <th>{t('colWaiting')}</th>
              <th>{t('colDeadline')}</th>
              <th>{t('colStatus')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {visible.map((row) => (
              <QueueRow key={row.entry.itemId} row={row} now={now} state={state} />
            ))}
          </tbody>
        </table>
      )}
      {rows.length > visible.length ? (
        <div class="queue-more">
          <span class="hint">{t('queueShown', { shown: visible.length, total: rows.length })}</span>{' '}
          <button type="button" onClick={() => setShown((n) => n + QUEUE_PAGE)}>
            {t('showMore', { n: Math.min(QUEUE_PAGE, rows.length - visible.length) })}
          </button>
        </div>
      ) : null}
    </section>
  );
}
