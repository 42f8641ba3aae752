import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { WirePatient, WireVisit, WireVisitView } from '../../runtime/http/api/wire-types.ts';
import { createLogger } from '../../runtime/log.ts';
import type { SimLink } from '../../runtime/sim-link.ts';
import { startSimLink } from '../../runtime/sim-link.ts';
import { tempDir } from '../../store/testing.ts';
import { startTabletKit } from '../helpers/tablet-kit.ts';
import { launchTablets } from '../helpers/tablets.ts';
import { echoErrors } from './console-world.ts';
import { WAIT, WEBRTC_ARGS, expectEventually } from './live-world.ts';

const SHOTS = 'artifacts/screenshots';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

// The simulated specialist (what `npm start --specialist-live --specialist-call` runs) in the live
// session with no console browser: the real kit linked to the local hub as `npm start` does, the
// simulated specialist's wrtc opening the live channel through the hub's signaling, watching the
// consultation's vitals (sealed, signed, verified against its pinned directory) and measuring the
// direct path; then ringing the kit's tablet with a synthetic voice (wrtc RTCAudioSource). The
// tablet is a real Chromium (fake microphone): it answers, hears Opus, and the specialist's
// RTCAudioSink hears the tablet.
describe('the simulated specialist in the live session (no console browser)', () => {
  it('watches a visit’s vitals over the direct path and calls the tablet with a synthetic voice', async () => {
    mkdirSync(SHOTS, { recursive: true });
    const simDir = tempDir('fieldkit-sim-live-');
    cleanups.push(() => Promise.resolve(simDir.cleanup()));
    let sim: SimLink | undefined;
    const kit = await startTabletKit(
      { oximeterRateHz: 2, bpIntervalMs: 3_600_000 },
      {
        link: async (store) => {
          sim = await startSimLink({
            kitStore: store,
            dir: join(simDir.dir, 'sim'),
            log: createLogger('silent'),
            readAfterMs: 500,
            answerAfterMs: 60_000,
            live: { watch: true, call: { afterMs: 4000, holdMs: 10_000, ringMs: 60_000 } },
          });
          return { store, orgKey: sim.orgKey, hub: sim.hub, directory: sim.directory };
        },
      },
    );
    cleanups.push(() => kit.dispose());
    cleanups.push(async () => sim?.stop());
    const live = sim!.specialist.live!;
    expect(live).toBeDefined();

    const browsers = await launchTablets({ trustCaPem: [kit.caPem], extraArgs: WEBRTC_ARGS });
    cleanups.push(browsers.close);
    const { page: tab } = await browsers.tablet();
    echoErrors(tab, 'tablet');
    await tab.goto(`${kit.url}pair#code=${await kit.pairingCode('feldsher')}`);
    await tab.click('[data-testid="pair-submit"]');
    await tab.waitForSelector('[data-testid="patient-search"]', WAIT);
    const post = async <T>(path: string, body: unknown): Promise<T> =>
      (await (
        await kit.fetch(`${kit.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).json()) as T;
    const patient = await post<WirePatient>('api/patients', {
      clientId: `sim-live-patient-${Date.now()}`,
      familyName: 'Кузнецов',
      givenName: 'Пётр',
      birthDate: '1951-09-12',
      sex: 'male',
    });
    const visit = await post<WireVisit>('api/visits', {
      clientId: `sim-live-visit-${Date.now()}`,
      patientId: patient.id,
    });
    const kept = async (): Promise<Map<string, number | null>> => {
      const view = (await (await kit.fetch(`${kit.url}api/visits/${visit.id}`)).json()) as WireVisitView;
      return new Map(
        view.entries
          .filter((e) => e.kind === 'keep' && e.observation)
          .map((e) => [e.observation!.id, e.observation!.value]),
      );
    };
    const keepSpo2 = async (): Promise<void> => {
      const before = (await kept()).size;
      await tab.click('[data-testid="keep-2708-6"]');
      await expectEventually(async () => (await kept()).size > before);
    };
    await tab.goto(`${kit.url}visits/${visit.id}`);
    await tab.waitForSelector('[data-testid="visit-screen"]', WAIT);
    await tab.locator('[data-testid="live-2708-6"]').waitFor(WAIT);
    await keepSpo2();
    await tab.click('[data-testid="open-consult"]');
    await tab.waitForSelector('[data-testid="consult-composer"]', WAIT);
    await tab.fill('[data-testid="consult-question"]', 'Одышка, SpO2 снижается. Посмотрите в динамике?');
    await tab.selectOption('[data-testid="consult-specialty"]', 'cardiology');
    await tab.click('[data-testid="urgency-urgent"]');
    await tab.click('[data-testid="consult-send"]');
    await tab.waitForSelector('.journal [data-kind="consultation"][data-place="kit"]', WAIT);
    await tab.goto(`${kit.url}visits/${visit.id}`);
    await tab.waitForSelector('[data-testid="visit-screen"]', WAIT);
    await tab.locator('[data-testid="live-2708-6"]').waitFor(WAIT);

    // The specialist's live channel is up, and its probe measured the direct path.
    await expectEventually(async () =>
      Promise.resolve(live.watcher.open === 1 && live.watcher.probe !== null),
    );
    expect(live.watcher.probe!.kbps).toBeGreaterThan(0);

    // A reading kept now reaches the specialist only over the live path, verified.
    const before = await kept();
    await keepSpo2();
    const [newId, newValue] = [...(await kept())].find(([id]) => !before.has(id))!;
    await expectEventually(async () => Promise.resolve(live.watcher.readings.some((r) => r.id === newId)));
    const got = live.watcher.readings.find((r) => r.id === newId)!;
    expect(got).toMatchObject({ loinc: '2708-6', value: newValue });
    expect(live.watcher.refused).toBe(0);

    // The specialist rings the tablet: audio only, with the link it measured; the tablet answers.
    const panel = tab.locator('[data-testid="call-panel"]');
    await tab.locator('[data-testid="call-panel"][data-call="ringing"]').waitFor(WAIT);
    expect(await panel.locator('.call-title').innerText()).toBe('Входящий звонок: Иванова А. П.');
    await tab.screenshot({ path: `${SHOTS}/tablet-call-from-sim-ringing.png` });
    await tab.click('[data-testid="call-accept"]');
    await tab.locator('[data-testid="call-panel"][data-call="connected"]').waitFor(WAIT);
    const stats = tab.locator('[data-testid="call-stats"]');
    await stats.waitFor(WAIT);
    const first = Number((await stats.getAttribute('data-inbound-bytes')) ?? '0');
    await expectEventually(
      async () => Number((await stats.getAttribute('data-inbound-bytes')) ?? '0') > first + 1000,
      30_000,
    );
    expect(await stats.getAttribute('data-codec')).toBe('audio/opus');
    await tab.screenshot({ path: `${SHOTS}/tablet-call-from-sim.png` });
    // The specialist hangs up after holding the call; the tablet sees the end.
    await tab.locator('[data-testid="call-panel"][data-call="ended"]').waitFor({ timeout: 60_000 });
    expect(await tab.locator('[data-testid="call-ended"]').getAttribute('data-ended')).toBe('remote');
    await expectEventually(async () => Promise.resolve(live.calls.length === 1));
    const call = live.calls[0]!;
    expect(call.how).toBe('held');
    expect(call.codec).toBe('audio/opus');
    expect(call.inboundBytes).toBeGreaterThan(1000);
    // The tablet's fake microphone is a tone: the specialist's sink heard sound, not silence.
    expect(call.loudSamples).toBeGreaterThan(48_000);
  }, 400_000);
});
