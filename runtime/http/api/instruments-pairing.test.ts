import { afterEach, describe, expect, it } from 'vitest';
import { SimPeripheral } from '../../../sim/gatt/sim-peripheral.ts';
import { tempStores } from '../../../store/test-fixtures.ts';
import { bluezFixture, type BluezFixture } from '../../../test/helpers/bluez-fixture.ts';
import type { KitEvent } from '../../events.ts';
import { PairingSessions, type PairingSessionView } from '../../instruments/pairing.ts';
import { LiveBus } from '../../live-bus.ts';
import { createLogger } from '../../log.ts';
import { apiAsTablet } from './test-tablet.ts';
import { instrumentControl } from './instrument-control.ts';

const temp = tempStores();

/**
 * The instrument routes over the kit's real pairing sessions, a simulated BlueZ on a private
 * D-Bus and node-ble (the transport the kit runs with BlueZ): find the cuff, pair it from the
 * tablet with the passkey it shows, refusals for bad answers, forget it.
 */
describe('instrument pairing through the tablet API', () => {
  let f: BluezFixture | undefined;
  afterEach(async () => {
    await f?.stop();
    f = undefined;
  });

  it('nearby, pair, a wrong answer refused as JSON, the shown passkey bonds, forget', async () => {
    const cuff = new SimPeripheral('api-cuff', 'Omron-like cuff', {
      '1810': { '2a35': { properties: ['indicate'], security: 'encrypted' } },
    });
    f = await bluezFixture({ devices: [{ peripheral: cuff, pairing: 'passkey-entry' }] });
    let passkey = -1;
    f.bluez.onEvent((e) => {
      if (e.type === 'passkey') passkey = e.passkey;
    });
    const bus = new LiveBus<KitEvent>();
    const events: PairingSessionView[] = [];
    bus.subscribe((e) => {
      if (e.type === 'pairing') events.push(e.session);
    });
    const pairing = new PairingSessions({ transport: f.transport, bus, log: createLogger('silent') });
    const store = await temp.open();
    const api = apiAsTablet({ store, bus, instruments: instrumentControl(() => [], pairing) });
    const json = { 'content-type': 'application/json' };

    const nearby = (await (await api.request('/instruments/nearby?seconds=2')).json()) as {
      id: string;
      name: string;
    }[];
    const device = nearby.find((d) => d.name === 'Omron-like cuff')!;
    expect(device).toBeDefined();
    const started = await api.request(`/instruments/${encodeURIComponent(device.id)}/pair`, {
      method: 'POST',
    });
    expect(started.status).toBe(202);
    const session = (await started.json()) as PairingSessionView;
    await expect.poll(() => events.at(-1)?.state, { timeout: 10_000 }).toBe('waiting-for-answer');
    expect(events.at(-1)!.prompt).toEqual({ kind: 'enter-passkey' });
    const sessions = (await (await api.request('/pairings')).json()) as PairingSessionView[];
    expect(sessions.map((s) => s.id)).toContain(session.id);

    const answer = (body: unknown) =>
      api.request(`/pairings/${session.id}/answer`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify(body),
      });
    const bad = await answer({ passkey: 'one two three' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_body' });
    const wrongKind = await answer({ accept: true });
    expect(wrongKind.status).toBe(422);
    expect(await wrongKind.json()).toMatchObject({ error: 'invalid_answer' });
    expect(
      (await api.request('/pairings/nope/answer', { method: 'POST', headers: json, body: '{"passkey":1}' }))
        .status,
    ).toBe(404);
    await expect.poll(() => passkey, { timeout: 10_000 }).toBeGreaterThanOrEqual(0);
    expect((await answer({ passkey })).status).toBe(200);
    await expect.poll(() => events.at(-1)?.state, { timeout: 10_000 }).toBe('bonded');

    const forgot = await api.request(`/instruments/${encodeURIComponent(device.id)}`, { method: 'DELETE' });
    expect(forgot.status).toBe(200);
    await pairing.close();
  });
});
