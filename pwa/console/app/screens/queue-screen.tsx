import { duration, t } from '../i18n.ts';
import { clock, patientLine } from '../format.ts';
import { orderQueue } from '../queue/queue.ts';
import { useConsole, useNow } from '../use-console.ts';

/** The queue: urgent first, then by waiting time, with each answer deadline and what is overdue. */
export function QueueScreen() {
  const state = useConsole();
  const now = useNow();
  const rows = orderQueue(state.consultations(), now, state.deadlines);
  return (
    <section class="card">
      <h2>{t('queueTitle')}</h2>
      <p class="hint">
        {t('deadlines', {
          urgent: duration(state.deadlines.urgentMs),
          routine: duration(state.deadlines.routineMs),
        })}
      </p>
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
            {rows.map((row) => {
              const c = row.entry;
              return (
                <tr
                  key={c.itemId}
                  class={`${c.urgency} ${row.overdue ? 'overdue' : ''}`}
                  data-item={c.itemId}
                  data-urgency={c.urgency}
                  data-overdue={row.overdue ? 'yes' : 'no'}
                >
                  <td>
                    <span class={`urgency ${c.urgency}`}>
                      {c.urgency === 'urgent' ? t('urgent') : t('routine')}
                    </span>
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
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
