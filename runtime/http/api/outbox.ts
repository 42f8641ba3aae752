import { Hono } from 'hono';
import { consultationOfOutbox } from '../../../store/index.ts';
import type { ApiDeps } from './deps.ts';
import { type ApiEnv, canRead } from './env.ts';
import { deliveryOf } from './visit-view.ts';
import type { WireOutboxItem } from './wire-types.ts';

/** Most outbox items one answer lists (send order: urgent first, then age). */
const LIST_LIMIT = 200;

/** The kit's outbox as the tablet's status panel shows it: every pending item and where it is. */
export function outboxRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>();
  r.get('/outbox', canRead, async (c) => {
    const items = await deps.store.peekOutbox(LIST_LIMIT);
    const out: WireOutboxItem[] = items.map((i) => {
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
    return c.json({ items: out, linkPresent: deps.delivery !== undefined });
  });
  return r;
}
