import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { LinkAddress } from '../../crypto/signed-item.ts';
import type { HubCaller } from './auth.ts';
import type { Actor, CaseView, Coordination, CoordinationRefusal } from './coordination.ts';

/** A consultation id in a path: its envelope's SHA-256, hex. */
const CaseId = z.string().regex(/^[0-9a-f]{64}$/);
/** The body of POST /api/cases/:id/assign. */
export const AssignRequest = z.object({ to: LinkAddress }).strict();
/** The query of GET /api/cases: an optional cursor from an earlier answer. */
const ListQuery = z.object({ since: z.string().max(40).optional() });
/** The query of GET /api/cases/audit. */
const AuditQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).optional() });

type Env = { Variables: { caller: HubCaller } };

function actorOf(c: Context<Env>): Actor {
  const caller = c.get('caller');
  return { identity: caller.enrolment.identity, device: caller.device, role: caller.enrolment.role };
}

function answer(c: Context<Env>, result: CaseView | CoordinationRefusal) {
  if (!('error' in result)) return c.json(result);
  switch (result.error) {
    case 'not_found':
      return c.json(result, 404);
    case 'forbidden':
      return c.json(result, 403);
    case 'taken':
    case 'answered':
      return c.json(result, 409);
  }
}

/**
 * The coordination routes (behind the hub's token check, so 401 without identity):
 *
 *   GET  /api/cases[?since=cursor]  open consultations the caller may see (a coordinator: all);
 *                                   with the cursor of an earlier answer, only what changed since
 *                                   ({cases, removed, cursor, full}: see CaseDelta)
 *   POST /api/cases/:id/claim       take one (409 with who holds it when taken)
 *   POST /api/cases/:id/release     give it back
 *   POST /api/cases/:id/answered    the conclusion is sent: it leaves the queues
 *   POST /api/cases/:id/dismiss     not a consultation after all (a message)
 *   POST /api/cases/:id/assign      {to}: a coordinator reassigns (403 for anyone else)
 *   GET  /api/cases/audit           the audit trail (coordinators)
 *
 * Kits get 403 on all of them. Ids and bodies are schema-checked (400); bodies are under the
 * hub's global size limit.
 */
export function coordinationRoutes(app: Hono<Env>, coordination: Coordination): void {
  const forbiddenKit = (c: Context<Env>) =>
    actorOf(c).role === 'kit' ? c.json({ error: 'forbidden', why: 'kits have no queue' }, 403) : undefined;

  app.get('/api/cases', async (c) => {
    const refused = forbiddenKit(c);
    if (refused) return refused;
    const query = ListQuery.safeParse(c.req.query());
    if (!query.success) return c.json({ error: 'bad_request' }, 400);
    return c.json(await coordination.changes(actorOf(c), query.data.since));
  });
  app.get('/api/cases/audit', async (c) => {
    if (actorOf(c).role !== 'coordinator')
      return c.json({ error: 'forbidden', why: 'the audit trail is for coordinators' }, 403);
    const query = AuditQuery.safeParse(c.req.query());
    if (!query.success) return c.json({ error: 'bad_request' }, 400);
    return c.json({ entries: await coordination.audit(query.data.limit) });
  });
  const action =
    (act: 'claim' | 'release' | 'answered' | 'dismiss') =>
    async (c: Context<Env>): Promise<Response> => {
      const refused = forbiddenKit(c);
      if (refused) return refused;
      const id = CaseId.safeParse(c.req.param('id'));
      if (!id.success) return c.json({ error: 'bad_request', why: 'id is a 64-hex envelope id' }, 400);
      return answer(c, await coordination[act](actorOf(c), id.data));
    };
  app.post('/api/cases/:id/claim', action('claim'));
  app.post('/api/cases/:id/release', action('release'));
  app.post('/api/cases/:id/answered', action('answered'));
  app.post('/api/cases/:id/dismiss', action('dismiss'));
  app.post('/api/cases/:id/assign', async (c) => {
    const actor = actorOf(c);
    if (actor.role !== 'coordinator')
      return c.json({ error: 'forbidden', why: 'only a coordinator reassigns' }, 403);
    const id = CaseId.safeParse(c.req.param('id'));
    let raw: unknown;
    try {
      raw = await c.req.json();
    } catch {
      raw = undefined;
    }
    const body = AssignRequest.safeParse(raw);
    if (!id.success || !body.success) return c.json({ error: 'bad_request' }, 400);
    return answer(c, await coordination.assign(actor, id.data, body.data.to));
  });
}
