import { Hono } from 'hono';
import { consultationOfOutbox } from '../../../store/index.ts';
import type { ApiDeps } from './deps.ts';
import { type ApiEnv, canRead } from './env.ts';
import { deliveryOf } from './visit-view.ts';
import type { WireOutboxItem } from './wire-types.ts';

/** Most outbox items one answer lists (send order: urgent first, then age). */
const LIST_LIMIT = 200;

/**
 * The kit's outbox as the tablet's status panel shows it: every item still on the kit (send
 * order) and every one the link took, with where it is now (at the hub, delivered, read, answered).
 */
export function outboxRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>();
  r.get('/outbox', canRead, async (c) => {
    const items = await deps.store.peekOutbox(LIST_LIMIT);
    // What the link already took (delivered, read, answered too), then what still waits here.
    const tracked = deps.delivery?.tracked().slice(0, LIST_LIMIT) ?? [];
    const taken = new Set(tracked.map((t) => t.id));
    // With a link, the store's outbox also holds the link's own sealed items (shown through
    // `tracked`): the tablet lists its requests.
    const mine = deps.delivery
      ? items.filter((i) => consultationOfOutbox(i.kind, i.payload) !== null)
      : items;
    const waiting: WireOutboxItem[] = mine
      .filter((i) => !taken.has(i.id))
      .map((i) => {
        const ref = consultationOfOutbox(i.kind, i.payload);
        return {
          id: i.id,
          kind: i.kind,
          priority: i.priority,
          createdAt: i.createdAt,
          consultationId: ref?.consultationId ?? null,
          visitId: ref?.visitId ?? null,
          delivery: deliveryOf(deps, i.id),
        };
      });
    return c.json({ items: [...waiting, ...tracked], linkPresent: deps.delivery !== undefined });
  });
  return r;
}
