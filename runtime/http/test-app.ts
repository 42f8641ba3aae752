import type { Hono } from 'hono';
import type { RecordStore } from '../../store/index.ts';
import type { KitEvent } from '../events.ts';
import { LiveBus } from '../live-bus.ts';
import { PWA_DIST } from '../kit.ts';
import { createApp } from './app.ts';
import { NO_INSTRUMENTS } from './api/test-tablet.ts';
import type { AuthEnv } from './auth/identity.ts';
import { storeTokenVerifier } from './auth/store-verifier.ts';
import { LiveJournal } from './live/journal.ts';

/**
 * The kit's HTTPS app over a real store, for in-process tests (`app.request`): the same
 * createApp the kit serves, with no instruments and a short heartbeat. Tests that add routes get them here too, so the router-wide auth test covers every
 * route.
 */
export function testApp(store: RecordStore): {
  app: Hono<AuthEnv>;
  bus: LiveBus<KitEvent>;
  journal: LiveJournal;
} {
  const bus = new LiveBus<KitEvent>();
  const journal = new LiveJournal(bus);
  const app = createApp({
    version: 'test',
    journal,
    recentObservations: (limit) => store.recentObservations(limit),
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
    tokens: storeTokenVerifier(store),
    pairing: store,
    fhir: store,
    heartbeatMs: 200,
    api: { store, bus, instruments: NO_INSTRUMENTS },
  });
  return { app, bus, journal };
}

/** Pairs a tablet in process; returns its token. */
export async function pairInProcess(
  app: Hono<AuthEnv>,
  store: RecordStore,
  role: 'feldsher' | 'doctor' | 'coordinator',
): Promise<string> {
  const { code } = await store.createPairingCode({ role, createdBy: 'test' });
  const res = await app.request('/api/pair', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code, name: `${role} tablet` }),
  });
  if (res.status !== 201) throw new Error(`pairing failed: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}
