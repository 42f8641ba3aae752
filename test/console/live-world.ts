import type { Page } from 'playwright-core';
import type { DirectoryIdentity } from '../../crypto/directory.ts';
import type { WirePatient, WireVisit, WireVisitView } from '../../runtime/http/api/wire-types.ts';
import type { HubHandle } from '../../runtime/hub/hub.ts';
import { launchTablets } from '../helpers/tablets.ts';
import { startTabletKit, type TabletKit } from '../helpers/tablet-kit.ts';
import { testDirectory, testOrg, testStore } from '../helpers/link-world.ts';
import { echoErrors, enrolConsole, reopenConsole, startConsoleHub } from './console-world.ts';

/** Waits used by the live tests (a loaded machine runs two Chromiums, a kit and a hub). */
export const WAIT = { timeout: 60_000 };

/**
 * Chromium flags for WebRTC between processes on this machine: host candidates as addresses (not
 * mDNS names the kit's wrtc cannot resolve) and loopback allowed; no STUN is configured anywhere.
 */
export const WEBRTC_ARGS = [
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--allow-loopback-in-peer-connection',
  '--autoplay-policy=no-user-gesture-required',
] as const;

/** A live world: the hub, the kit linked to it, the console and the tablet, a consultation open. */
export interface LiveWorld {
  readonly hub: HubHandle;
  readonly kit: TabletKit;
  readonly con: Page;
  readonly tab: Page;
  readonly visitId: string;
  /** The visit's readings kept so far (values by observation id), read from the kit's API. */
  kept(): Promise<Map<string, number | null>>;
  /** Keeps the tablet's current SpO2 reading in the visit (a reading taken on the kit). */
  keepSpo2(): Promise<void>;
}

/** A visit world: the hub, the console enrolled, the kit linked to both, the tablet on a visit. */
export interface VisitWorld {
  readonly hub: HubHandle;
  readonly kit: TabletKit;
  readonly con: Page;
  readonly tab: Page;
  readonly visitId: string;
}

/**
 * Builds, in real parts, what the console tests that involve a tablet start from: the hub
 * (console served over HTTPS from a test CA), the console enrolled in one Chromium, the kit with
 * simulated instruments linked to the hub with a directory listing both, the tablet paired in
 * another Chromium and showing a new patient's visit with the oximeter live. `tag` names the
 * test's client ids; `extraArgs` go to both Chromiums. `cleanups` collects what to undo.
 */
export async function visitWorld(
  cleanups: (() => Promise<void>)[],
  options: {
    readonly tag: string;
    readonly extraArgs?: readonly string[];
    /** Test-only pacing of the kit's live link probe, bytes/s (a narrow uplink; see live-vitals.ts). */
    readonly probePace?: number;
  },
): Promise<VisitWorld> {
  const extraArgs = options.extraArgs ?? [];
  const org = await testOrg();
  const hubS = await testStore('hub');
  cleanups.push(hubS.cleanup);
  let served: Uint8Array | undefined;
  const { hub, tls, rootPem } = await startConsoleHub(hubS.store, () => served);
  cleanups.push(() => hub.stop());
  const browsers = await launchTablets({ trustCaPem: [rootPem], extraArgs });
  cleanups.push(browsers.close);
  // The specialist's console enrols first (no directory yet: the first one it gets must match its
  // code's check of the organisation key).
  const { page: con } = await browsers.tablet();
  echoErrors(con, 'console');
  await con.goto(`https://localhost:${hub.port}/`);
  await enrolConsole(con, {
    // No directory is served yet: the code carries the organisation key's check from the org itself.
    code: (await hub.codes.issue('spec-ivanova', 'specialist', undefined, org.publicKey)).code,
    label: 'Ноутбук Ивановой',
    passphrase: 'кардиолог-2026',
    identity: 'spec-ivanova',
  });
  const device = (await hub.enrolments.all()).find((d) => d.identity === 'spec-ivanova')!;
  // The kit, linked to this hub; the organisation's directory lists it and the console.
  const kit = await startTabletKit(
    { oximeterRateHz: 2, bpIntervalMs: 3_600_000 },
    {
      link: async (store) => {
        const id = store.publicIdentity;
        const identities: DirectoryIdentity[] = [
          { id: 'kit-01', role: 'kit', name: 'Бригада 1', devices: [{ key: id.signing, box: id.sealing }] },
          {
            id: 'spec-ivanova',
            role: 'specialist',
            name: 'Иванова А. П., кардиолог',
            devices: [{ key: Buffer.from(device.device, 'hex'), box: Buffer.from(device.box!, 'hex') }],
          },
        ];
        served = await testDirectory(org, identities);
        await hub.enrolments.enroll({
          device: Buffer.from(id.signing).toString('hex'),
          identity: 'kit-01',
          role: 'kit',
        });
        return {
          store,
          orgKey: org.publicKey,
          hub: { url: hub.url, certPem: tls.cert },
          directory: served,
          ...(options.probePace ? { liveProbePace: options.probePace } : {}),
        };
      },
    },
  );
  cleanups.push(() => kit.dispose());
  await reopenConsole(con, 'кардиолог-2026');

  // The tablet (trusting the kit's CA, in its own browser) on a new patient's visit.
  const tabletBrowsers = await launchTablets({ trustCaPem: [kit.caPem], extraArgs });
  cleanups.push(tabletBrowsers.close);
  const { page: tab } = await tabletBrowsers.tablet();
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
    clientId: `${options.tag}-patient-${Date.now()}`,
    familyName: 'Кузнецов',
    givenName: 'Пётр',
    birthDate: '1951-09-12',
    sex: 'male',
  });
  const visit = await post<WireVisit>('api/visits', {
    clientId: `${options.tag}-visit-${Date.now()}`,
    patientId: patient.id,
  });
  await tab.goto(`${kit.url}visits/${visit.id}`);
  await tab.waitForSelector('[data-testid="visit-screen"]', WAIT);
  await tab.locator('[data-testid="live-2708-6"]').waitFor(WAIT);
  return { hub, kit, con, tab, visitId: visit.id };
}

/**
 * Builds the world every live test starts from: {@link visitWorld} with WebRTC between
 * processes allowed; the feldsher keeps an SpO2 reading and sends an urgent consultation, and
 * the specialist opens it. `options.probePace` narrows the kit's side of the live channel's link
 * probe (test-only, see live-vitals.ts). `cleanups` collects what to undo.
 */
export async function liveWorld(
  cleanups: (() => Promise<void>)[],
  options: { readonly probePace?: number } = {},
): Promise<LiveWorld> {
  const { hub, kit, con, tab, visitId } = await visitWorld(cleanups, {
    tag: 'live',
    extraArgs: WEBRTC_ARGS,
    ...options,
  });
  const kept = async (): Promise<Map<string, number | null>> => {
    const view = (await (await kit.fetch(`${kit.url}api/visits/${visitId}`)).json()) as WireVisitView;
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
  await keepSpo2();
  await tab.click('[data-testid="open-consult"]');
  await tab.waitForSelector('[data-testid="consult-composer"]', WAIT);
  await tab.fill('[data-testid="consult-question"]', 'Одышка, SpO2 снижается. Посмотрите в динамике?');
  await tab.selectOption('[data-testid="consult-specialty"]', 'cardiology');
  await tab.click('[data-testid="urgency-urgent"]');
  await tab.click('[data-testid="consult-send"]');
  await tab.waitForSelector('.journal [data-kind="consultation"][data-place="kit"]', WAIT);
  // Back on the visit screen (the composer returns to it), where readings are kept.
  await tab.goto(`${kit.url}visits/${visitId}`);
  await tab.waitForSelector('[data-testid="visit-screen"]', WAIT);
  await tab.locator('[data-testid="live-2708-6"]').waitFor(WAIT);

  await con.locator('table.queue tbody tr').first().waitFor(WAIT);
  await con.getByRole('button', { name: 'Открыть' }).click();
  await con.locator('.case').waitFor(WAIT);
  return { hub, kit, con, tab, visitId, kept, keepSpo2 };
}

/** Polls `check` until true (60 s). */
export async function expectEventually(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 250));
  }
}
