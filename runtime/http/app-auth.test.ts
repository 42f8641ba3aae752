import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tempStores } from '../../store/test-fixtures.ts';
import { ROLES, type Role } from './auth/identity.ts';
import { PUBLIC_API_PATHS, rolesOf } from './auth/middleware.ts';
import { pairInProcess, testApp } from './test-app.ts';

const temp = tempStores();
const fresh = () => temp.open();

/** Every concrete API route of the app (method, path) with the roles its requireRole admits. */
function apiRoutes(app: ReturnType<typeof testApp>['app']) {
  const byRoute = new Map<string, { method: string; path: string; roles: readonly Role[] | undefined }>();
  for (const r of app.routes) {
    if (r.method === 'ALL' || !r.path.startsWith('/api/') || r.path.includes('*')) continue;
    const key = `${r.method} ${r.path}`;
    const entry = byRoute.get(key) ?? { method: r.method, path: r.path, roles: undefined };
    entry.roles ??= rolesOf(r.handler);
    byRoute.set(key, entry);
  }
  return [...byRoute.values()];
}

/** A concrete URL for a route pattern (`:id` → a made-up id). */
function concrete(path: string): string {
  return path.replace(/:[A-Za-z]+(\{[^}]*\})?/g, 'x-0000000000000001');
}

async function call(
  app: ReturnType<typeof testApp>['app'],
  method: string,
  path: string,
  token?: string,
): Promise<{ status: number; body: { error?: string } }> {
  const ac = new AbortController();
  const res = await app.request(concrete(path), {
    method,
    signal: ac.signal,
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    ...(method === 'GET' || method === 'HEAD' ? {} : { body: '{}' }),
  });
  const type = res.headers.get('content-type') ?? '';
  const body = type.includes('application/json') ? ((await res.json()) as { error?: string }) : {};
  ac.abort(); // ends a live stream opened by an admitted role
  await res.body?.cancel().catch(() => undefined);
  return { status: res.status, body };
}

describe('every API route is closed to strangers, revoked tablets and the wrong role', () => {
  it('enumerates the router: 401 without a token, 401 with a revoked one, 403 for each role not admitted', async () => {
    const store = await fresh();
    const { app, journal } = testApp(store);
    const tokens = {} as Record<Role, string>;
    for (const role of ROLES) tokens[role] = await pairInProcess(app, store, role);
    const revoked = await pairInProcess(app, store, 'coordinator');
    await store.revokeTablet((await store.listTablets()).at(-1)!.id);

    const routes = apiRoutes(app);
    // The kit's own routes are there (the tablet-app's join them as they are mounted).
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        'GET /api/live',
        'GET /api/observations',
        'POST /api/pair',
        'POST /api/pairing-codes',
      ]),
    );
    let forbiddenChecks = 0;
    for (const route of routes) {
      if (PUBLIC_API_PATHS.has(route.path)) continue;
      const name = `${route.method} ${route.path}`;
      expect(route.roles, `${name} has no requireRole(...)`).toBeDefined();
      const anon = await call(app, route.method, route.path);
      expect([anon.status, anon.body.error], `${name} without a token`).toEqual([401, 'unauthorized']);
      const bogus = await call(app, route.method, route.path, 'fkt_' + 'A'.repeat(43));
      expect([bogus.status, bogus.body.error], `${name} with an unknown token`).toEqual([
        401,
        'unauthorized',
      ]);
      const gone = await call(app, route.method, route.path, revoked);
      expect([gone.status, gone.body.error], `${name} with a revoked token`).toEqual([401, 'token_revoked']);
      for (const role of ROLES) {
        const res = await call(app, route.method, route.path, tokens[role]);
        if (route.roles!.includes(role)) expect([401, 403], `${name} as ${role}`).not.toContain(res.status);
        else {
          expect([res.status, res.body.error], `${name} as ${role}`).toEqual([403, 'forbidden']);
          forbiddenChecks += 1;
        }
      }
    }
    expect(forbiddenChecks).toBeGreaterThan(0);
    journal.close();
  });

  it('keeps tokens out of cookies and URLs: a token in a cookie or the query string is not accepted', async () => {
    const store = await fresh();
    const { app } = testApp(store);
    const token = await pairInProcess(app, store, 'feldsher');
    const viaCookie = await app.request('/api/me', { headers: { cookie: `token=${token}` } });
    expect(viaCookie.status).toBe(401);
    const viaQuery = await app.request(`/api/me?token=${token}&access_token=${token}`);
    expect(viaQuery.status).toBe(401);
    const ok = await app.request('/api/me', { headers: { authorization: `Bearer ${token}` } });
    expect(await ok.json()).toMatchObject({ role: 'feldsher', name: 'feldsher tablet' });
    expect(ok.headers.get('set-cookie')).toBeNull();
  });

  it('rate-limits failed pairing attempts with a JSON 429 and Retry-After, and pairs nothing meanwhile', async () => {
    const store = await fresh();
    const { app } = testApp(store);
    const attempt = (code: string) =>
      app.request('/api/pair', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code, name: 'guesser' }),
      });
    for (let i = 0; i < 5; i++) expect((await attempt(String(10_000_000 + i))).status).toBe(401);
    const { code } = await store.createPairingCode({ role: 'feldsher', createdBy: 'test' });
    const limited = await attempt(code);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ error: 'rate_limited' });
    expect((await store.listTablets()).filter((t) => t.status === 'active')).toEqual([]);
  });

  it('answers any Authorization header it does not know with a JSON 401, never a 500', async () => {
    const store = await fresh();
    const { app } = testApp(store);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.string({ maxLength: 200 }).map((t) => `Bearer ${t}`),
          fc.stringMatching(/^[A-Za-z0-9_-]{43}$/).map((t) => `Bearer fkt_${t}`),
        ),
        async (header) => {
          let res: Response;
          try {
            res = await app.request('/api/me', { headers: { authorization: header } });
          } catch {
            return; // a header value fetch itself refuses (control characters) never reaches the kit
          }
          expect(res.status).toBe(401);
          expect(((await res.json()) as { error: string }).error).toBe('unauthorized');
        },
      ),
      { numRuns: 150 },
    );
  });
});
