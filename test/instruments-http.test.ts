import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { parseKitConfig } from '../runtime/config.ts';
import type { ApiErrorBody } from '../runtime/http/errors.ts';
import type { WireDiscoveredInstrument, WireInstrument } from '../runtime/http/wire.ts';
import { startKit, type KitHandle } from '../runtime/kit.ts';
import { createLogger } from '../runtime/log.ts';
import { SimPeripheral } from '../sim/gatt/sim-peripheral.ts';
import { createSimBpMonitor } from '../sim/instruments/bp-monitor.ts';
import { createSimGlucoseMeter } from '../sim/instruments/glucose-meter.ts';
import { SimTransport } from '../sim/transport/sim-transport.ts';
import type { RecordStore } from '../store/index.ts';
import { tempStores } from '../store/test-fixtures.ts';
import { KitClient, pairTablet } from './helpers/kit-client.ts';
import { until } from './helpers/until.ts';

// The tablet's discovery API on the real kit (startKit: HTTPS from the kit-local CA, a paired
// tablet's token), the real instrument manager over SimTransport, a real encrypted store;
// nothing remembered on sight (as with a real radio).

const temp = tempStores();
const stops: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (stops.length > 0) await stops.pop()!();
});

interface Running {
  readonly kit: KitHandle;
  readonly store: RecordStore;
  readonly client: KitClient;
  /** A feldsher's token (may change the set) and a doctor's (may only look). */
  readonly feldsher: string;
  readonly doctor: string;
}

async function start(): Promise<Running> {
  const meter = createSimGlucoseMeter({ id: 'glu-http', records: 4, seed: 3, utcOffsetMinutes: 180 });
  const cuff = createSimBpMonitor({ id: 'bp-http', intervalMs: 3_600_000 });
  // A device no driver knows (a vendor service only): listed with no profile, and refused.
  const stranger = new SimPeripheral('odd-http', 'Vendor Gadget', {
    fff0: { fff1: { properties: ['read'], value: Uint8Array.of(1) } },
  });
  for (const i of [meter, cuff]) i.start();
  stops.push(() => [meter, cuff].forEach((i) => i.stop()));
  const dir = temp.dir();
  const store = await temp.reopen(dir);
  const config = parseKitConfig({
    dataDir: dir,
    http: { host: '127.0.0.1', port: 0, httpsPort: 0 },
    sim: { enabled: false },
    autoRemember: false,
    utcOffsetMinutes: 180,
    reconnectDelayMs: 50,
    logLevel: 'silent',
  });
  const transport = new SimTransport([meter.peripheral, cuff.peripheral, stranger]);
  const kit = await startKit(config, store, createLogger('silent'), 'test', { transport });
  stops.push(() => kit.stop());
  const client = new KitClient(kit.url, kit.caPem);
  return {
    kit,
    store,
    client,
    feldsher: await pairTablet(client, store, 'feldsher'),
    doctor: await pairTablet(client, store, 'doctor'),
  };
}

describe('instrument discovery over HTTPS', () => {
  it('lists unknown devices, remembers one (stored, downloaded), forgets it', async () => {
    const { kit, store, client, feldsher } = await start();
    const get = async <T>(path: string): Promise<T> =>
      (await client.request(path, { token: feldsher })).json<T>();
    const found = await get<WireDiscoveredInstrument[]>('/api/instruments/discovered');
    expect(found.map((d) => [d.id, d.profile, d.transport]).sort()).toEqual([
      ['bp-http', 'blood-pressure', 'sim'],
      ['glu-http', 'glucose', 'sim'],
      ['odd-http', null, 'sim'],
    ]);
    const scanned = await client.postJson('/api/instruments/scan', { timeoutMs: 500 }, feldsher);
    expect(scanned.status).toBe(200);
    expect(scanned.json<WireDiscoveredInstrument[]>().length).toBe(3);

    const added = await client.postJson(
      '/api/instruments/remember',
      { id: 'glu-http', name: 'Глюкометр' },
      feldsher,
    );
    expect(added.status).toBe(201);
    expect(added.json()).toMatchObject({ id: 'glu-http', profile: 'glucose', name: 'Глюкометр' });
    await until(() => kit.instruments.list()[0]?.lastSequence === 4, {
      timeoutMs: 15_000,
      what: 'RACP download',
    });
    expect((await get<WireInstrument[]>('/api/instruments')).map((i) => i.id)).toEqual(['glu-http']);
    expect((await store.listInstruments()).map((i) => [i.address, i.name])).toEqual([
      ['glu-http', 'Глюкометр'],
    ]);
    const after = await get<WireDiscoveredInstrument[]>('/api/instruments/discovered');
    expect(after.map((d) => d.id).sort()).toEqual(['bp-http', 'odd-http']);

    const gone = await client.postJson('/api/instruments/forget', { id: 'glu-http' }, feldsher);
    expect(gone.status).toBe(204);
    expect(await store.listInstruments()).toEqual([]);
    expect((await get<WireInstrument[]>('/api/instruments')).length).toBe(0);
    // The readings it gave stay stored.
    await kit.pipeline.drain();
    const glucose = (await store.recentObservations(100)).filter((o) => o.code.loinc === '41653-7');
    expect(glucose.map((o) => o.provenance.sequenceNumber).sort()).toEqual([1, 2, 3, 4]);
  });

  it('answers refusals in the shared format; a doctor may look but not change the set', async () => {
    const { client, feldsher, doctor } = await start();
    const cases: Array<[string, unknown, number, ApiErrorBody['error']]> = [
      ['/api/instruments/remember', { id: 'nobody' }, 404, 'not_found'],
      ['/api/instruments/remember', { id: 'odd-http' }, 422, 'no_driver'],
      ['/api/instruments/remember', { id: 'glu-http', profile: 'toaster' }, 422, 'no_driver'],
      ['/api/instruments/forget', { id: 'bp-http' }, 404, 'not_found'],
      ['/api/instruments/remember', { id: '' }, 400, 'invalid_body'],
      ['/api/instruments/remember', { id: 'glu-http', extra: 1 }, 400, 'invalid_body'],
      ['/api/instruments/scan', { timeoutMs: 10 }, 400, 'invalid_body'],
    ];
    for (const [path, body, status, error] of cases) {
      const res = await client.postJson(path, body, feldsher);
      expect([path, body, res.status, res.json<ApiErrorBody>().error]).toEqual([path, body, status, error]);
    }
    const broken = await client.request('/api/instruments/remember', {
      method: 'POST',
      body: '{"id":',
      headers: { 'content-type': 'application/json' },
      token: feldsher,
    });
    expect([broken.status, broken.json<ApiErrorBody>().error]).toEqual([400, 'malformed_json']);
    expect((await client.request('/api/instruments/discovered', { token: doctor })).status).toBe(200);
    const denied = await client.postJson('/api/instruments/remember', { id: 'glu-http' }, doctor);
    expect([denied.status, denied.json<ApiErrorBody>().error]).toEqual([403, 'forbidden']);
    const anonymous = await client.postJson('/api/instruments/forget', { id: 'glu-http' });
    expect(anonymous.status).toBe(401);
    // The simulated radio keeps no bonds: the one instrument API says so, and pairing is refused.
    const pairings = await client.request('/api/instruments/pairings', { token: doctor });
    expect(pairings.json()).toEqual({ supported: false, sessions: [] });
    const pair = await client.postJson('/api/instruments/pair', { id: 'glu-http' }, feldsher);
    expect([pair.status, pair.json<ApiErrorBody>().error]).toEqual([501, 'not_available']);
  });

  it('never answers arbitrary JSON bodies with a 5xx, and remembers only real instruments', async () => {
    const { kit, client, feldsher } = await start();
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.json(), fc.string({ maxLength: 60 })), async (body) => {
        for (const path of ['/api/instruments/remember', '/api/instruments/forget']) {
          const res = await client.request(path, {
            method: 'POST',
            body,
            headers: { 'content-type': 'application/json' },
            token: feldsher,
          });
          expect(res.status).toBeLessThan(500);
        }
      }),
      { numRuns: 40 },
    );
    for (const s of kit.instruments.list()) expect(['glu-http', 'bp-http']).toContain(s.id);
  });
});
