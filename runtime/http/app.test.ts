import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tempStores } from '../../store/test-fixtures.ts';
import { pairInProcess, testApp } from './test-app.ts';

const temp = tempStores();
const fresh = () => temp.open();

/**
 * The app in process (Hono's app.request) over a real store in a temp dir: these tests are about
 * the HTTP boundary; the whole kit is exercised over real sockets in test/kit-slice.test.ts.
 */
describe('HTTP boundary', () => {
  it('answers any query string on /api/observations with 200 or a typed 400, never a 500', async () => {
    const store = await fresh();
    const { app } = testApp(store);
    const token = await pairInProcess(app, store, 'feldsher');
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 40 }), async (limit) => {
        const res = await app.request(`/api/observations?limit=${encodeURIComponent(limit)}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect([200, 400]).toContain(res.status);
        if (res.status === 400) expect(((await res.json()) as { error: string }).error).toBe('bad_query');
      }),
      { numRuns: 60 },
    );
  });

  it('refuses an oversized pairing body with a typed 413 and a malformed one with 400', async () => {
    const store = await fresh();
    const { app } = testApp(store);
    const big = JSON.stringify({ code: '12345678', name: 'x'.repeat(2000) });
    const res = await app.request('/api/pair', {
      method: 'POST',
      body: big,
      headers: { 'content-type': 'application/json', 'content-length': String(big.length) },
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: 'body_too_large', limit: 1024 });
    const bad = await app.request('/api/pair', {
      method: 'POST',
      body: '{"code":',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'malformed_json' });
  });

  it('serves the tablet app for deep links without a token; unknown API paths are 401 without one, 404 with one', async () => {
    const store = await fresh();
    const { app } = testApp(store);
    expect((await app.request('/visit/123')).status).toBe(200);
    expect((await app.request('/app.js')).status).toBe(200);
    const anon = await app.request('/api/unknown');
    expect(anon.status).toBe(401);
    const token = await pairInProcess(app, store, 'doctor');
    const api = await app.request('/api/unknown', { headers: { authorization: `Bearer ${token}` } });
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ error: 'not_found' });
  });
});
