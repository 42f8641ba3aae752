import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KitEvent } from '../events.ts';
import { LiveBus } from '../live-bus.ts';
import { PWA_DIST } from '../kit.ts';
import type { ApiStore } from './api/index.ts';
import { createApp, MAX_BODY_BYTES } from './app.ts';

/**
 * The app in process (Hono's app.request). An empty read side stands in for the store: these tests
 * are about the HTTP boundary; the real store is exercised over a socket in test/kit-slice.test.ts.
 */
function app() {
  return createApp({
    version: 'test',
    bus: new LiveBus<KitEvent>(),
    recentObservations: () => Promise.resolve([]),
    instruments: () => [],
    storage: () => ({
      writable: true,
      notStoredTotal: 0,
      lastError: null,
      freeBytes: null,
      totalBytes: null,
      lowSpace: false,
      lowSpaceThresholdBytes: 0,
      at: new Date(0).toISOString(),
    }),
    staticRoot: PWA_DIST,
    // The API's store is never reached by these tests (they stay at the HTTP boundary).
    api: { store: {} as ApiStore, instruments: { list: () => [] } },
  });
}

describe('HTTP boundary', () => {
  it('answers any query string on /api/observations with 200 or a typed 400, never a 500', async () => {
    const a = app();
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 40 }), async (limit) => {
        const res = await a.request(`/api/observations?limit=${encodeURIComponent(limit)}`);
        expect([200, 400]).toContain(res.status);
        if (res.status === 400) expect(((await res.json()) as { error: string }).error).toBe('bad_query');
      }),
      { numRuns: 200 },
    );
  });

  it('refuses bodies over the limit with a typed 413', async () => {
    const res = await app().request('/api/observations', {
      method: 'POST',
      body: new Uint8Array(MAX_BODY_BYTES + 1),
      headers: { 'content-length': String(MAX_BODY_BYTES + 1) },
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: 'body_too_large', limit: MAX_BODY_BYTES });
  });

  it('serves the tablet app for deep links and JSON 404 for unknown API paths', async () => {
    const a = app();
    expect((await a.request('/visit/123')).status).toBe(200);
    const api = await a.request('/api/unknown');
    expect(api.status).toBe(404);
    expect(await api.json()).toEqual({ error: 'not_found' });
  });
});
