/**
 * The specialist's queue: urgent consultations before routine ones, and within each the one
 * waiting longest first. Each has an answer deadline by priority (configurable; urgent 30 min,
 * routine 24 h by default) and, past it, how long it is overdue. Pure: the screen passes "now".
 */

/** Answer deadlines per urgency, in ms. */
export interface DeadlinePolicy {
  readonly urgentMs: number;
  readonly routineMs: number;
}

/** The default deadlines: urgent within 30 minutes, routine within a day. */
export const DEFAULT_DEADLINES: DeadlinePolicy = { urgentMs: 30 * 60_000, routineMs: 24 * 3600_000 };

/** What the queue needs of a consultation. */
export interface QueueInput {
  readonly itemId: string;
  readonly urgency: 'urgent' | 'routine';
  /** When the kit sent it (signed time), ms. */
  readonly sentAt: number;
  readonly answered: boolean;
}

/** A queue row: the input plus its deadline and how it stands against it. */
export interface QueueRow<T extends QueueInput> {
  readonly entry: T;
  readonly dueAt: number;
  readonly waitingMs: number;
  /** Time left before the deadline (0 when overdue). */
  readonly remainingMs: number;
  /** How long past the deadline (0 when not overdue). */
  readonly overdueMs: number;
  readonly overdue: boolean;
}

/** The deadline of a consultation. */
export function dueAt(entry: QueueInput, policy: DeadlinePolicy): number {
  return entry.sentAt + (entry.urgency === 'urgent' ? policy.urgentMs : policy.routineMs);
}

/**
 * Open consultations (answered ones leave the queue) in the order a specialist should take them:
 * urgency, then waiting time (longest first), then id for a stable order.
 */
export function orderQueue<T extends QueueInput>(
  entries: readonly T[],
  now: number,
  policy: DeadlinePolicy = DEFAULT_DEADLINES,
): QueueRow<T>[] {
  return entries
    .filter((e) => !e.answered)
    .sort(
      (a, b) =>
        (a.urgency === b.urgency ? 0 : a.urgency === 'urgent' ? -1 : 1) ||
        a.sentAt - b.sentAt ||
        (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0),
    )
    .map((entry) => {
      const due = dueAt(entry, policy);
      const overdueMs = Math.max(0, now - due);
      return {
        entry,
        dueAt: due,
        waitingMs: Math.max(0, now - entry.sentAt),
        remainingMs: Math.max(0, due - now),
        overdueMs,
        overdue: now > due,
      };
    });
}

/** Deadlines from a configuration text like `urgent=30m,routine=24h` (minutes or hours). */
export function parseDeadlines(
  text: string | null | undefined,
  fallback = DEFAULT_DEADLINES,
): DeadlinePolicy {
  if (!text) return fallback;
  let { urgentMs, routineMs } = fallback;
  for (const part of text.split(',')) {
    const m = /^\s*(urgent|routine)\s*=\s*(\d{1,6})\s*([mh])\s*$/.exec(part);
    if (!m) continue;
    const ms = Number(m[2]) * (m[3] === 'h' ? 3600_000 : 60_000);
    if (ms <= 0) continue;
    if (m[1] === 'urgent') urgentMs = ms;
    else routineMs = ms;
  }
  return { urgentMs, routineMs };
}
