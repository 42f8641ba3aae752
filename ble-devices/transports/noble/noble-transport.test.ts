import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SimPeripheral } from '../../../sim/gatt/sim-peripheral.ts';
import { NobleDouble } from '../../../test/helpers/noble-double.ts';
import { runTransportTests } from '../../../test/transport-acceptance.ts';
import { asDeviceId, type Transport } from '../../transport.ts';
import { loadNoble } from './load-noble.ts';
import { NobleTransport, openNobleTransport } from './noble-transport.ts';

// Plainly: noble's radio path (HCI socket) cannot run on this machine, which has no kernel
// Bluetooth (socket(AF_BLUETOOTH) fails with EAFNOSUPPORT). What runs here: loading noble never
// crashes and its unavailability is a typed state with the cause; and the transport's adapter
// logic, run through the shared acceptance suite against a double of noble's API
// (test/helpers/noble-double.ts) over a simulated peripheral.

describe('noble on this machine', () => {
  it('is unavailable, as a typed state naming the cause, not a crash', async () => {
    const r = await openNobleTransport();
    expect(r.state).toBe('unavailable');
    if (r.state !== 'unavailable') return;
    expect(r.error.code).toBe('unavailable');
    expect(r.error.message).toMatch(/EAFNOSUPPORT|Address family not supported/);
    // Asking again gives the same answer: nothing was left half-initialised.
    expect((await openNobleTransport()).state).toBe('unavailable');
  });

  it('loads in a fresh process without an uncaught error or a non-zero exit', () => {
    const script = fileURLToPath(new URL('./probe-noble-child.ts', import.meta.url));
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(child.status).toBe(0);
    expect(JSON.parse(child.stdout.trim())).toMatchObject({ state: 'unavailable', code: 'unavailable' });
  });

  it('reports a module that throws, one without the API, and a powered-off adapter as unavailable', async () => {
    const boom = Object.assign(new Error('Address family not supported by protocol'), {
      code: 'EAFNOSUPPORT',
    });
    const thrown = await loadNoble(() => Promise.reject(boom));
    expect(thrown).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(thrown.ok ? null : (thrown.error as Error & { cause?: unknown }).cause).toBe(boom);
    expect(await loadNoble(() => Promise.resolve({ default: {} }))).toMatchObject({ ok: false });
    const off = new NobleDouble([], 'poweredOff');
    const r = await openNobleTransport({ powerOnTimeoutMs: 50 }, () => Promise.resolve({ default: off }));
    expect(r).toMatchObject({ state: 'unavailable', error: { message: 'Bluetooth adapter is poweredOff' } });
  });

  it('has no pairing: noble cannot bond', () => {
    const transport: Transport = new NobleTransport(new NobleDouble([]));
    expect(transport.pairing).toBeUndefined();
  });
});

runTransportTests('noble (adapter over a double of noble’s API; no radio here)', () => {
  const spec = {
    '180f': {
      '2a19': { properties: ['read'] as const, value: Uint8Array.of(77) },
      '2a5f': { properties: ['notify'] as const },
    },
  };
  const sim = new SimPeripheral('aa:bb:cc:dd:ee:01', 'Test instrument', spec);
  const noble = new NobleDouble([{ sim, spec }]);
  const transport = new NobleTransport(noble, { opTimeoutMs: 1000, findTimeoutMs: 300 });
  return Promise.resolve({
    transport,
    deviceId: asDeviceId('aa:bb:cc:dd:ee:01'),
    service: '180f',
    readChar: '2a19',
    readValue: Uint8Array.of(77),
    notifyChar: '2a5f',
    notify: (bytes: Uint8Array) => sim.emit('180f', '2a5f', bytes),
    dropLink: () => sim.detach('test link loss'),
    teardown: async () => {
      await transport.close();
      expect(noble.listenerTotal).toBe(0);
    },
  });
});
