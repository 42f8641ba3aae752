import type { Page } from 'playwright-core';
import type { DirectoryIdentity } from '../../crypto/directory.ts';
import type { HubHandle } from '../../runtime/hub/hub.ts';
import type { HubTls } from '../../runtime/hub/tls.ts';
import { HubSocketCarrier } from '../../runtime/link/carriers/hub-socket/hub-socket-carrier.ts';
import { storeIdentity } from '../../runtime/link/endpoint-identity.ts';
import { LinkEndpoint } from '../../runtime/link/endpoint.ts';
import { HubLink } from '../../runtime/link/hub-link.ts';
import { launchTablets } from '../helpers/tablets.ts';
import type { Watched } from '../helpers/link-world.ts';
import { testDirectory, testOrg, testStore, watch } from '../helpers/link-world.ts';
import { echoErrors, enrolConsole, reopenConsole, startConsoleHub } from './console-world.ts';

/** A real hub, a real kit linked to it, and one enrolled console in real Chromium. */
export interface ConsoleWorld {
  readonly hub: HubHandle;
  readonly tls: HubTls;
  readonly kit: LinkEndpoint;
  readonly watched: Watched;
  readonly page: Page;
  /** The console's origin (the hub directly, or a port whose traffic crosses a shaped link). */
  readonly origin: string;
  close(): Promise<void>;
}

const PASSPHRASE = 'кардиолог-2026';

/**
 * Sets up the console's world for the Chromium tests and `bench console`: the org
 * signs a directory with the kit and Иванова; the hub (HTTPS, test CA trusted in Chromium's NSS
 * database) serves the built console; the console enrols through its screen with a one-time code
 * (keys made in the browser), the org lists its device, and it reopens its keys. `originPort`
 * maps the hub's port to the one the browser uses (a bridge across a shaped link, or itself).
 */
export async function consoleWorld(
  originPort: (hubPort: number) => Promise<number> = (p) => Promise.resolve(p),
  options: { consoleDir?: string } = {},
): Promise<ConsoleWorld> {
  const cleanups: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };
  try {
    const org = await testOrg();
    const kitS = await testStore('kit');
    cleanups.push(kitS.cleanup);
    const hubS = await testStore('hub');
    cleanups.push(hubS.cleanup);
    const kitId = kitS.store.publicIdentity;
    const people = (devices: DirectoryIdentity['devices']): DirectoryIdentity[] => [
      { id: 'kit-01', role: 'kit', name: 'Бригада 1', devices: [{ key: kitId.signing, box: kitId.sealing }] },
      { id: 'spec-ivanova', role: 'specialist', name: 'Иванова А. П., кардиолог', devices },
    ];
    let served = await testDirectory(org, people([]));
    const { hub, tls, rootPem } = await startConsoleHub(hubS.store, () => served, options.consoleDir);
    cleanups.push(() => hub.stop());
    await hub.enrolments.enroll({
      device: Buffer.from(kitId.signing).toString('hex'),
      identity: 'kit-01',
      role: 'kit',
    });
    const browsers = await launchTablets({ trustCaPem: [rootPem] });
    cleanups.push(browsers.close);
    const { page } = await browsers.tablet();
    echoErrors(page, 'console');
    const origin = `https://localhost:${await originPort(hub.port)}`;
    await page.goto(`${origin}/`);
    await enrolConsole(page, {
      code: (await hub.codes.issue('spec-ivanova', 'specialist')).code,
      label: 'Ноутбук Ивановой',
      passphrase: PASSPHRASE,
      identity: 'spec-ivanova',
    });
    const device = (await hub.enrolments.all()).find((d) => d.identity === 'spec-ivanova')!;
    served = await testDirectory(
      org,
      people([{ key: Buffer.from(device.device, 'hex'), box: Buffer.from(device.box!, 'hex') }]),
      2,
    );
    await reopenConsole(page, PASSPHRASE);

    const watched = watch();
    const kit = new LinkEndpoint({
      store: kitS.store,
      identity: storeIdentity(kitS.store),
      orgKey: org.publicKey,
      onEvent: watched.onEvent,
    });
    await kit.start(served);
    const kitLink = new HubLink(
      kit,
      new HubSocketCarrier({ url: hub.url, certPem: tls.cert, signer: storeIdentity(kitS.store).signer }),
      { maxBackoffMs: 300 },
    );
    kitLink.start();
    cleanups.push(async () => {
      await kitLink.stop();
      await kit.stop();
    });
    return { hub, tls, kit, watched, page, origin, close };
  } catch (error) {
    await close();
    throw error;
  }
}
