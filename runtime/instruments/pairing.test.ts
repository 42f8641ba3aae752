import { afterEach, describe, expect, it } from 'vitest';
import { asDeviceId } from '../../ble-devices/transport.ts';
import { SimPeripheral } from '../../sim/gatt/sim-peripheral.ts';
import { SimTransport } from '../../sim/transport/sim-transport.ts';
import { bluezFixture, type BluezFixture } from '../../test/helpers/bluez-fixture.ts';
import type { KitEvent } from '../events.ts';
import { LiveBus } from '../live-bus.ts';
import { createLogger } from '../log.ts';
import { PairingSessions, type PairingSessionView } from './pairing.ts';

function cuff(id: string): SimPeripheral {
  return new SimPeripheral(id, 'Omron-like cuff', {
    '1810': { '2a35': { properties: ['indicate'], security: 'encrypted' } },
  });
}

/** Pairing as the tablet drives it: questions as live events, answers through the API. */
describe('pairing sessions through the manager API', () => {
  let f: BluezFixture | undefined;
  afterEach(async () => {
    await f?.stop();
    f = undefined;
  });

  async function setup(options: { answerTimeoutMs?: number } = {}) {
    f = await bluezFixture({ devices: [{ peripheral: cuff('pair-api'), pairing: 'passkey-entry' }] });
    const bus = new LiveBus<KitEvent>();
    const views: PairingSessionView[] = [];
    bus.subscribe((e) => {
      if (e.type === 'pairing') views.push(e.session);
    });
    let passkey = -1;
    f.bluez.onEvent((e) => {
      if (e.type === 'passkey') passkey = e.passkey;
    });
    const bonded: string[] = [];
    const sessions = new PairingSessions({
      transport: f.transport,
      bus,
      log: createLogger('silent'),
      onBonded: (d) => {
        bonded.push(d.id);
        return Promise.resolve();
      },
      ...options,
    });
    const found = await sessions.discover(30);
    const device = found.find((d) => d.name === 'Omron-like cuff')!;
    return { f, sessions, views, device, bonded, passkey: () => passkey };
  }

  it('discover, a question as an event, a bad answer refused, the right passkey bonds', async () => {
    const { sessions, views, device, bonded, passkey } = await setup();
    const s = sessions.start(device);
    expect(s.state).toBe('pairing');
    await expect.poll(() => views.at(-1)?.state).toBe('waiting-for-answer');
    expect(views.at(-1)!.prompt).toEqual({ kind: 'enter-passkey' });
    expect(sessions.answer(s.id, 'one two three')).toEqual({ ok: false, reason: 'invalid_answer' });
    expect(sessions.answer(s.id, 1_000_000)).toEqual({ ok: false, reason: 'invalid_answer' });
    expect(sessions.answer('no-such-session', 1)).toEqual({ ok: false, reason: 'no_session' });
    expect(sessions.answer(s.id, passkey())).toEqual({ ok: true });
    expect(sessions.answer(s.id, passkey())).toEqual({ ok: false, reason: 'no_question' });
    const end = await sessions.settled(s.id);
    expect(end).toMatchObject({ state: 'bonded', error: null });
    expect(bonded).toEqual([device.id]);
    expect(await f!.transport.pairing.isBonded(device.id)).toBe(true);
    // Forget removes the bond.
    await sessions.forget(device.id);
    expect(await f!.transport.pairing.isBonded(device.id)).toBe(false);
  });

  it("a wrong passkey ends the session failed with BlueZ's reason", async () => {
    const { sessions, views, device, passkey } = await setup();
    const s = sessions.start(device);
    await expect.poll(() => views.at(-1)?.state).toBe('waiting-for-answer');
    sessions.answer(s.id, (passkey() + 7) % 1_000_000);
    const end = await sessions.settled(s.id);
    expect(end.state).toBe('failed');
    expect(end.error).toMatch(/AuthenticationFailed/);
  });

  it('cancel withdraws the question and ends the session cancelled; a second start is refused while one runs', async () => {
    const { sessions, views, device } = await setup();
    const s = sessions.start(device);
    expect(() => sessions.start(device)).toThrow(/already being paired/);
    await expect.poll(() => views.at(-1)?.state).toBe('waiting-for-answer');
    expect(sessions.cancel(s.id)).toBe(true);
    const end = await sessions.settled(s.id);
    expect(end.state).toBe('cancelled');
    expect(sessions.cancel(s.id)).toBe(false);
  });

  it('a question nobody answers fails the session after the answer timeout', async () => {
    const { sessions, device } = await setup({ answerTimeoutMs: 100 });
    const s = sessions.start(device);
    const end = await sessions.settled(s.id);
    expect(end).toMatchObject({ state: 'failed', error: 'no answer in 0 s' });
  });

  it('a transport that cannot bond says so', () => {
    const sessions = new PairingSessions({
      transport: new SimTransport([]),
      bus: new LiveBus<KitEvent>(),
      log: createLogger('silent'),
    });
    expect(sessions.supported).toBe(false);
    expect(() => sessions.start({ id: asDeviceId('x') })).toThrow(/cannot pair/);
  });
});
