import { afterEach, describe, expect, it } from 'vitest';
import { SimPeripheral } from '../../../sim/gatt/sim-peripheral.ts';
import { tempStores } from '../../../store/test-fixtures.ts';
import { bluezFixture, type BluezFixture } from '../../../test/helpers/bluez-fixture.ts';
import type { KitEvent } from '../../events.ts';
import { PairingSessions, type PairingSessionView } from '../../instruments/pairing.ts';
import { LiveBus } from '../../live-bus.ts';
import { createLogger } from '../../log.ts';
import { apiAsTablet, NO_INSTRUMENTS } from './test-tablet.ts';
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

  it('pair by id, a wrong answer refused as JSON, the shown passkey bonds, forget removes the bond', async () => {
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
    // The set is the no-instrument double (no manager here); pairing and bonds are BlueZ's.
    const found = await f.transport.scan({ timeoutMs: 200 });
    const api = apiAsTablet({
      store,
      bus,
      instruments: instrumentControl(
        {
          ...NO_INSTRUMENTS,
          discovered: () =>
            found.map((d) => ({
              ...d,
              rssi: d.rssi ?? null,
              transport: 'node-ble',
              profile: null,
              lastSeenAt: new Date().toISOString(),
            })),
        },
        pairing,
        f.transport.pairing,
      ),
    });
    const json = { 'content-type': 'application/json' };

    const device = found.find((d) => d.name === 'Omron-like cuff')!;
    expect(device).toBeDefined();
    const started = await api.request('/instruments/pair', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ id: device.id }),
    });
    expect(started.status).toBe(202);
    const session = (await started.json()) as PairingSessionView;
    await expect.poll(() => events.at(-1)?.state, { timeout: 10_000 }).toBe('waiting-for-answer');
    expect(events.at(-1)!.prompt).toEqual({ kind: 'enter-passkey' });
    expect(session.deviceName).toBe('Omron-like cuff');
    const listed = (await (await api.request('/instruments/pairings')).json()) as {
      supported: boolean;
      sessions: PairingSessionView[];
    };
    expect(listed.supported).toBe(true);
    expect(listed.sessions.map((s) => s.id)).toContain(session.id);
    const again = await api.request('/instruments/pair', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ id: device.id }),
    });
    expect([again.status, ((await again.json()) as { error: string }).error]).toEqual([409, 'conflict']);

    const answer = (body: unknown) =>
      api.request(`/instruments/pairings/${session.id}/answer`, {
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
      (
        await api.request('/instruments/pairings/nope/answer', {
          method: 'POST',
          headers: json,
          body: '{"passkey":1}',
        })
      ).status,
    ).toBe(404);
    await expect.poll(() => passkey, { timeout: 10_000 }).toBeGreaterThanOrEqual(0);
    expect((await answer({ passkey })).status).toBe(200);
    await expect.poll(() => events.at(-1)?.state, { timeout: 10_000 }).toBe('bonded');

    // Never remembered (no manager here), but bonded: forgetting removes the bond.
    const forget = () =>
      api.request('/instruments/forget', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ id: device.id }),
      });
    expect((await forget()).status).toBe(204);
    expect(await f.transport.pairing.isBonded(device.id)).toBe(false);
    expect((await forget()).status).toBe(404);
    await pairing.close();
  });
});
