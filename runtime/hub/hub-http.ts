import { Hono } from 'hono';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { HubAuth, HubCaller } from './auth.ts';
import type { Coordination } from './coordination.ts';
import { coordinationRoutes } from './coordination-routes.ts';

/** What the hub's HTTP routes read. */
export interface HubHttpDeps {
  readonly auth: HubAuth;
  /** The signed directory to serve, if the hub has one. */
  readonly directory: () => Uint8Array | undefined;
  readonly status: (caller: HubCaller) => Promise<unknown>;
  /** Enrols a device with a one-time code; undefined (401) for a bad, used or expired code. */
  readonly enrol?: (body: Record<string, unknown>) => Promise<EnrolAnswer | undefined>;
  /** The console's static files (no identity needed), if this hub serves the console. */
  readonly consoleFiles?: (request: Request) => Promise<Response | undefined>;
  /** Claims and reassignment of consultations (the /api/cases routes), if this hub coordinates. */
  readonly coordination?: Coordination;
}

/** What a device learns when its one-time code enrolled it. */
export interface EnrolAnswer {
  readonly identity: string;
  /** The organisation key the served directory names (base64url), so the console can pin it. */
  readonly org: string | null;
}

/** Bytes any hub request body may have (auth requests are tiny). */
export const HUB_MAX_BODY = 4096;

/** The bearer token of a request (Authorization header). */
export function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(header ?? '');
  return m?.[1];
}

async function json(c: Context): Promise<Record<string, unknown>> {
  try {
    const body: unknown = await c.req.json();
    return body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * The hub's HTTP API. Every route answers 401 without a valid identity: the two auth routes
 * answer 401 to a key that is not enrolled or a signature that does not verify, and every other
 * path (unknown ones included, so nothing is learnt by probing) needs a current token. The
 * console's static files (GET of a non-/api path) are the one exception: the same public bundle
 * for everyone, which then signs in with its device key like any other client.
 */
export function createHubApp(deps: HubHttpDeps): Hono<{ Variables: { caller: HubCaller } }> {
  const app = new Hono<{ Variables: { caller: HubCaller } }>();
  const unauthorized = (c: Context) => c.json({ error: 'unauthorized' }, 401);
  app.use(
    '*',
    bodyLimit({
      maxSize: HUB_MAX_BODY,
      onError: (c) => c.json({ error: 'body_too_large', limit: HUB_MAX_BODY }, 413),
    }),
  );
  if (deps.consoleFiles) {
    const files = deps.consoleFiles;
    app.use('*', async (c, next) => {
      const served = await files(c.req.raw);
      if (served) return served;
      await next();
    });
  }
  app.post('/api/auth/challenge', async (c) => {
    const body = await json(c);
    const challenge = await deps.auth.challenge(body.key);
    return challenge ? c.json(challenge) : unauthorized(c);
  });
  app.post('/api/auth/token', async (c) => {
    const body = await json(c);
    const token = await deps.auth.token(body.key, body.challenge, body.signature);
    return token ? c.json(token) : unauthorized(c);
  });
  app.post('/api/enrol', async (c) => {
    const answer = deps.enrol ? await deps.enrol(await json(c)) : undefined;
    return answer ? c.json(answer) : unauthorized(c);
  });
  app.use('*', async (c, next) => {
    const caller = await deps.auth.caller(bearer(c.req.header('authorization')));
    if (!caller) return c.json({ error: 'unauthorized' }, 401);
    c.set('caller', caller);
    await next();
  });
  app.get('/api/directory', (c) => {
    const signed = deps.directory();
    if (!signed) return c.json({ error: 'no_directory' }, 404);
    return c.body(Buffer.from(signed), 200, { 'content-type': 'application/vnd.fieldkit.directory' });
  });
  app.get('/api/status', async (c) => c.json(await deps.status(c.get('caller'))));
  if (deps.coordination) coordinationRoutes(app, deps.coordination);
  app.all('*', (c) => c.json({ error: 'not_found' }, 404));
  app.onError((err, c) => c.json({ error: 'internal', detail: err.message.slice(0, 200) }, 500));
  return app;
}
