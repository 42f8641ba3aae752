import { useState } from 'preact/hooks';
import { clock } from '../format.ts';
import { duration, t } from '../i18n.ts';
import type { HubCase } from '../net/cases-api.ts';
import { useConsole, useNow } from '../use-console.ts';

/** One open consultation with who holds it and a reassignment control. */
function CoordRow({ c, now }: { c: HubCase; now: number }) {
  const state = useConsole();
  const others = c.candidates.filter((id) => id !== c.claim?.by);
  const [to, setTo] = useState(others[0] ?? '');
  const overdueMs = Math.max(0, now - c.dueAt);
  const target = others.includes(to) ? to : (others[0] ?? '');
  return (
    <tr
      class={`${c.urgency} ${overdueMs > 0 ? 'overdue' : ''}`}
      data-case={c.id}
      data-urgency={c.urgency}
      data-overdue={overdueMs > 0 ? 'yes' : 'no'}
      data-claimed-by={c.claim?.by ?? ''}
    >
      <td>
        <span class={`urgency ${c.urgency}`}>{c.urgency === 'urgent' ? t('urgent') : t('routine')}</span>
      </td>
      <td>{state.nameOf(c.to)}</td>
      <td>{state.nameOf(c.from)}</td>
      <td>{clock(c.arrivedAt, now)}</td>
      <td class="deadline">
        <div>{clock(c.dueAt, now)}</div>
        <div class={overdueMs > 0 ? 'late' : 'left'}>
          {overdueMs > 0
            ? t('overdueBy', { d: duration(overdueMs) })
            : t('dueIn', { d: duration(c.dueAt - now) })}
        </div>
      </td>
      <td class="holder">
        {c.claim ? state.nameOf(c.claim.by) : <span class="hint">{t('notTaken')}</span>}
        {c.claim?.assignedBy ? (
          <div class="hint">{t('assignedNote', { name: state.nameOf(c.claim.assignedBy) })}</div>
        ) : null}
      </td>
      <td>
        {others.length > 0 ? (
          <div class="actions">
            <select
              aria-label={t('reassignTo')}
              value={target}
              onChange={(e) => setTo(e.currentTarget.value)}
            >
              {others.map((id) => (
                <option key={id} value={id}>
                  {state.nameOf(id)}
                </option>
              ))}
            </select>
            <button type="button" onClick={() => void state.assign(c.id, target)}>
              {t('reassign')}
            </button>
          </div>
        ) : null}
      </td>
    </tr>
  );
}

/**
 * The coordinator's view (an identity the hub enrolled as coordinator): every open consultation
 * the hub knows of, urgent first, with its deadline, what is overdue and by how long, who holds
 * it, and reassignment to another specialist it was sent to. The hub cannot read consultations,
 * so neither does this screen: it shows only what the hub can see.
 */
export function CoordinatorScreen() {
  const state = useConsole();
  const now = useNow(5000);
  const cases = state.hubCases;
  const overdue = cases.filter((c) => now > c.dueAt).length;
  const free = cases.filter((c) => !c.claim).length;
  return (
    <section class="card coordination">
      <h2>{t('coordTitle')}</h2>
      <p class="hint coord-summary">{t('coordSummary', { open: cases.length, overdue, free })}</p>
      {state.notice ? <p class="error notice">{state.notice}</p> : null}
      {cases.length === 0 ? (
        <p class="empty">{t('coordEmpty')}</p>
      ) : (
        <table class="queue coord">
          <thead>
            <tr>
              <th>{t('colUrgency')}</th>
              <th>{t('colAddress')}</th>
              <th>{t('colFrom')}</th>
              <th>{t('colArrived')}</th>
              <th>{t('colDeadline')}</th>
              <th>{t('colHolder')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {cases.map((c) => (
              <CoordRow key={c.id} c={c} now={now} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
