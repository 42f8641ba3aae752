import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { pairInProcess, testApp } from '../runtime/http/test-app.ts';
import type { WireDiscoveredInstrument, WireInstrument, WireInstrumentError } from '../runtime/http/wire.ts';
import { createSimBpMonitor } from '../sim/instruments/bp-monitor.ts';
import { createSimGlucoseMeter } from '../sim/instruments/glucose-meter.ts';
import { SimPeripheral } from '../sim/gatt/sim-peripheral.ts';
import { SimTransport } from '../sim/transport/sim-transport.ts';
import { managerRig, until, type Rig } from './helpers/manager-rig.ts';

// The tablet's discovery API over a real socket: the real Hono app, the real instrument manager
// over SimTransport and a real encrypted store (managerRig), nothing remembered on sight.

interface Running {
  readonly rig: Rig;
  readonly base: string;
  readonly server: ServerType;
  /** A paired feldsher tablet's bearer token. */
  readonly token: string;
}

let running: Running | undefined;
afterEach(async () => {
  if (!running) return;
  const { rig, server } = running;
  running = undefined;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rig.teardown();
});

async function start(): Promise<Running> {
  const meter = createSimGlucoseMeter({ id: 'glu-http', records: 4, seed: 3, utcOffsetMinutes: 180 });
  const cuff = createSimBpMonitor({ id: 'bp-http', intervalMs: 3_600_000 });
  // A device no driver knows (a vendor service only): listed, with no profile, and refused.
  const stranger = new SimPeripheral('odd-http', 'Vendor Gadget', {
    fff0: { fff1: { properties: ['read'], value: Uint8Array.of(1) } },
  });
  const transport = new SimTransport([meter.peripheral, cuff.peripheral, stranger]);
  const rig = await managerRig({ instruments: [meter, cuff], transport, autoRemember: false });
  const { app } = testApp(rig.store, {
    instruments: () => rig.manager.list(),
    instrumentControl: rig.manager,
  });
  const token = await pairInProcess(app, rig.store, 'feldsher');
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
    s.once('error', reject);
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  running = { rig, base, server, token };
  return running;
}

/** A request as the paired tablet makes it: its token in the Authorization header. */
const call = (url: string, init: RequestInit = {}): Promise<Response> =>
  fetch(url, {
    ...init,
    headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${running?.token ?? ''}` },
  });

const post = (base: string, path: string, body: unknown) =>
  call(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('instrument discovery over HTTP', () => {
  it('lists unknown devices, remembers one (stored, downloaded), forgets it', async () => {
    const { rig, base } = await start();
    const found = (await (
      await call(`${base}/api/instruments/discovered`)
    ).json()) as WireDiscoveredInstrument[];
    expect(found.map((d) => [d.id, d.profile]).sort()).toEqual([
      ['bp-http', 'blood-pressure'],
      ['glu-http', 'glucose'],
      ['odd-http', null],
    ]);
    const scanned = await post(base, '/api/instruments/scan', { timeoutMs: 500 });
    expect(scanned.status).toBe(200);
    expect(((await scanned.json()) as WireDiscoveredInstrument[]).length).toBe(3);

    const added = await post(base, '/api/instruments/remember', { id: 'glu-http', name: 'Глюкометр' });
    expect(added.status).toBe(201);
    expect(await added.json()).toMatchObject({ id: 'glu-http', profile: 'glucose', name: 'Глюкометр' });
    await until(() => rig.status('glu-http').lastSequence === 4, 'RACP download');
    const listed = (await (await call(`${base}/api/instruments`)).json()) as WireInstrument[];
    expect(listed.map((i) => i.id)).toEqual(['glu-http']);
    expect((await rig.store.listInstruments()).map((i) => [i.address, i.name])).toEqual([
      ['glu-http', 'Глюкометр'],
    ]);
    const after = (await (
      await call(`${base}/api/instruments/discovered`)
    ).json()) as WireDiscoveredInstrument[];
    expect(after.map((d) => d.id).sort()).toEqual(['bp-http', 'odd-http']);

    const gone = await post(base, '/api/instruments/forget', { id: 'glu-http' });
    expect(gone.status).toBe(204);
    expect(await rig.store.listInstruments()).toEqual([]);
    expect(((await (await call(`${base}/api/instruments`)).json()) as WireInstrument[]).length).toBe(0);
    // The readings it gave stay stored.
    const glucose = (await rig.stored()).filter((o) => o.code.loinc === '41653-7');
    expect(glucose.map((o) => o.provenance.sequenceNumber)).toEqual([1, 2, 3, 4]);
  });

  it('answers refusals with typed errors', async () => {
    const { base } = await start();
    const cases: Array<[string, unknown, number, WireInstrumentError['error']]> = [
      ['/api/instruments/remember', { id: 'nobody' }, 404, 'unknown_device'],
      ['/api/instruments/remember', { id: 'odd-http' }, 422, 'no_driver'],
      ['/api/instruments/remember', { id: 'glu-http', profile: 'toaster' }, 422, 'no_driver'],
      ['/api/instruments/forget', { id: 'bp-http' }, 404, 'not_remembered'],
      ['/api/instruments/remember', { id: '' }, 400, 'bad_request'],
      ['/api/instruments/remember', { id: 'glu-http', extra: 1 }, 400, 'bad_request'],
      ['/api/instruments/remember', '{"id":', 400, 'bad_request'],
      ['/api/instruments/scan', { timeoutMs: 10 }, 400, 'bad_request'],
    ];
    for (const [path, body, status, error] of cases) {
      const res = await post(base, path, body);
      expect([path, body, res.status]).toEqual([path, body, status]);
      expect(((await res.json()) as WireInstrumentError).error).toBe(error);
    }
  });

  it('never answers arbitrary JSON bodies with a 5xx', async () => {
    const { rig, base } = await start();
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.json(), fc.string({ maxLength: 60 })), async (body) => {
        for (const path of ['/api/instruments/remember', '/api/instruments/forget']) {
          const res = await post(base, path, body);
          expect(res.status).toBeLessThan(500);
          await res.arrayBuffer();
        }
      }),
      { numRuns: 60 },
    );
    // Whatever the fuzz remembered by chance is a real, known instrument.
    for (const s of rig.manager.list()) expect(['glu-http', 'bp-http']).toContain(s.id);
  });
});
