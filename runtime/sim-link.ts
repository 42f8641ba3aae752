import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadBackend } from '../crypto/backend.ts';
import { toHex } from '../crypto/bytes.ts';
import { signDirectory } from '../crypto/directory.ts';
import type { KdfParams } from '../crypto/kdf.ts';
import { createOrgKey, unlockOrgKey } from '../crypto/org-key.ts';
import type { OrgSigner } from '../crypto/org-key.ts';
import { startSimSpecialist } from '../sim/specialist/sim-specialist.ts';
import type { SimSpecialist } from '../sim/specialist/sim-specialist.ts';
import type { SimLiveSettings } from '../sim/specialist/sim-live-session.ts';
import { openStore } from '../store/index.ts';
import type { RecordStore } from '../store/index.ts';
import { writeFileDurably } from './hub/files.ts';
import { startHub } from './hub/hub.ts';
import type { HubHandle } from './hub/hub.ts';
import { loadHubTls } from './hub/tls.ts';
import type { Logger } from './log.ts';

/**
 * The passphrase of the simulation's own keys (its organisation key, the local hub's and the
 * simulated specialist's stores). They protect nothing real: the simulation runs on the
 * developer's machine next to a simulated kit.
 */
const SIM_PASSPHRASE = 'fieldkit-simulation';
/** Light Argon2id for the simulation's keys, so `npm start` starts in about a second. */
const SIM_KDF: KdfParams = { opsLimit: 1, memLimitBytes: 8 * 1024 };

/** The identity ids the simulated directory gives the kit and the specialist. */
export const SIM_KIT_ID = 'kit-sim';
export const SIM_SPECIALIST_ID = 'spec-sim-cardio';

/** Options of {@link startSimLink}. */
export interface SimLinkOptions {
  /** The kit's own store: its public device keys go into the simulated directory. */
  readonly kitStore: RecordStore;
  /** Where the simulation keeps its organisation key, hub and specialist (kept across restarts). */
  readonly dir: string;
  readonly log: Logger;
  /** Pauses of the simulated specialist (defaults: read after 1.5 s, answer after 4 s). */
  readonly readAfterMs?: number;
  readonly answerAfterMs?: number;
  /** Probability that a conclusion carries a wrong record hash (shown unverified on the kit). */
  readonly badConclusionRate?: number;
  /** Probability that a conclusion names another consultation in its envelope's `re`. */
  readonly forgedReRate?: number;
  /** The simulated specialist's random source (a test picks which conclusion is tampered). */
  readonly random?: () => number;
  /** The simulated specialist's live session (watch vitals, call the tablets); off by default. */
  readonly live?: SimLiveSettings;
}

/** What the kit needs to join the simulated link, and how to stop it. */
export interface SimLink {
  readonly orgKey: Uint8Array;
  readonly directory: Uint8Array;
  readonly hub: { readonly url: string; readonly certPem: string };
  readonly specialist: SimSpecialist;
  stop(): Promise<void>;
}

async function simOrg(dir: string): Promise<OrgSigner> {
  const file = join(dir, 'org.key');
  const backend = await loadBackend('auto');
  if (existsSync(file)) return unlockOrgKey(backend, readFileSync(file), SIM_PASSPHRASE);
  const created = await createOrgKey(backend, SIM_PASSPHRASE, SIM_KDF);
  writeFileDurably(file, created.file, 0o600);
  return created.signer;
}

/**
 * The link's far side for a simulated kit (`fieldkit start` without a real hub): a simulation
 * organisation key, a directory it signs with the kit and one simulated specialist, a local hub
 * on a free loopback port with both devices enrolled, and the simulated specialist connected to
 * it. Every part is the real protocol over real TLS sockets; only the people are simulated. Part
 * of the composition root: one of the few files that may import sim/.
 */
export async function startSimLink(options: SimLinkOptions): Promise<SimLink> {
  const { dir, log } = options;
  const started = Date.now();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const org = await simOrg(dir);
  const open = (name: string): Promise<RecordStore> =>
    openStore({ path: join(dir, name), passphrase: SIM_PASSPHRASE, kdf: SIM_KDF, actor: `sim-${name}` });
  const hubStore = await open('hub');
  let specStore: RecordStore | undefined;
  let hub: HubHandle | undefined;
  try {
    specStore = await open('specialist');
    const kit = options.kitStore.publicIdentity;
    const spec = specStore.publicIdentity;
    const directory = await signDirectory(
      {
        // Newer on every start, so a kit that pinned an older one accepts it.
        serial: Math.floor(Date.now() / 1000),
        issuedAt: Date.now(),
        identities: [
          {
            id: SIM_KIT_ID,
            role: 'kit',
            name: 'Бригада (симуляция)',
            devices: [{ key: kit.signing, box: kit.sealing }],
          },
          {
            id: SIM_SPECIALIST_ID,
            role: 'specialist',
            name: 'Иванова А. П., кардиолог (симуляция)',
            devices: [{ key: spec.signing, box: spec.sealing }],
          },
        ],
      },
      org,
    );
    const orgKey = org.publicKey;
    org.forget();
    const tls = await loadHubTls(hubStore, { dir: join(dir, 'hub') });
    hub = await startHub({
      store: hubStore,
      tls,
      host: '127.0.0.1',
      port: 0,
      log: log.child({ part: 'sim-hub' }),
      directory: () => directory,
    });
    await hub.enrolments.enroll({ device: toHex(kit.signing), identity: SIM_KIT_ID, role: 'kit' });
    await hub.enrolments.enroll({
      device: toHex(spec.signing),
      identity: SIM_SPECIALIST_ID,
      role: 'specialist',
    });
    const hubAddress = { url: hub.url, certPem: tls.cert };
    const specLog = log.child({ part: 'sim-specialist' });
    const specialist = await startSimSpecialist({
      store: specStore,
      orgKey,
      directory,
      hub: hubAddress,
      ...(options.readAfterMs !== undefined ? { readAfterMs: options.readAfterMs } : {}),
      ...(options.answerAfterMs !== undefined ? { answerAfterMs: options.answerAfterMs } : {}),
      faults: {
        badConclusionRate: options.badConclusionRate ?? 0,
        ...(options.forgedReRate ? { forgedReRate: options.forgedReRate } : {}),
      },
      ...(options.random ? { random: options.random } : {}),
      ...(options.live ? { live: options.live } : {}),
      log: (message, detail) => specLog.info(detail ?? {}, message),
    });
    log.info(
      { hub: hub.url, specialist: SIM_SPECIALIST_ID, ms: Date.now() - started },
      'simulated link: local hub and simulated specialist running',
    );
    const runningHub = hub;
    const stores = [specStore, hubStore];
    return {
      orgKey,
      directory,
      hub: hubAddress,
      specialist,
      async stop() {
        await specialist.stop();
        await runningHub.stop();
        await tls.renewal?.stop();
        for (const s of stores) await s.close();
      },
    };
  } catch (error) {
    await hub?.stop();
    await specStore?.close();
    await hubStore.close();
    throw error;
  }
}
