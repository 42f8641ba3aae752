import { loadBackend } from '../../crypto/backend.ts';
import type { DirectoryIdentity } from '../../crypto/directory.ts';
import { signDirectory } from '../../crypto/directory.ts';
import type { EnvelopeOpener } from '../../crypto/envelope.ts';
import type { OrgSigner } from '../../crypto/org-key.ts';
import { createOrgKey } from '../../crypto/org-key.ts';
import type { Signer } from '../../crypto/signed-item.ts';
import { getSodium } from '../../crypto/wasm-sodium.ts';
import type { HubHandle, HubOptions } from '../../runtime/hub/hub.ts';
import { startHub } from '../../runtime/hub/hub.ts';
import type { HubTls } from '../../runtime/hub/tls.ts';
import { loadHubTls } from '../../runtime/hub/tls.ts';
import { createLogger } from '../../runtime/log.ts';
import { toHex } from '../../crypto/bytes.ts';
import { openStore } from '../../store/index.ts';
import type { RecordStore } from '../../store/index.ts';
import { TEST_KDF, tempDir } from '../../store/testing.ts';
import { HubSocketCarrier } from '../../runtime/link/carriers/hub-socket/hub-socket-carrier.ts';
import type { DeliveryState } from '../../runtime/link/delivery.ts';
import { rank } from '../../runtime/link/delivery.ts';
import type { LinkEvent } from '../../runtime/link/endpoint.ts';
import { LinkEndpoint } from '../../runtime/link/endpoint.ts';
import { storeIdentity } from '../../runtime/link/endpoint-identity.ts';
import { HubLink } from '../../runtime/link/hub-link.ts';
import type { InboxEntry } from '../../runtime/link/link-inbox.ts';
import type { PacingOptions } from '../../runtime/link/rate.ts';
import type { TcpRelay } from './tcp-relay.ts';

/** A device key pair held in memory (tests only; kits and specialists keep theirs in a store). */
export interface TestDevice {
  readonly signer: Signer;
  readonly opener: EnvelopeOpener;
  readonly hex: string;
}

/** A fresh Ed25519 + X25519 device. */
export async function testDevice(): Promise<TestDevice> {
  const s = await getSodium();
  const sign = s.crypto_sign_keypair();
  const box = s.crypto_box_keypair();
  return {
    signer: {
      publicKey: sign.publicKey,
      sign: (m) => Promise.resolve(s.crypto_sign_detached(m, sign.privateKey)),
    },
    opener: {
      sealingKey: box.publicKey,
      unwrap: (sealed) => {
        try {
          return Promise.resolve(s.crypto_box_seal_open(sealed, box.publicKey, box.privateKey));
        } catch {
          return Promise.resolve(null);
        }
      },
    },
    hex: toHex(sign.publicKey),
  };
}

/** A fresh organisation key (light Argon2id). */
export async function testOrg(): Promise<OrgSigner> {
  return (await createOrgKey(await loadBackend('auto'), 'org', TEST_KDF)).signer;
}

/** Signs a directory of identities with the org key. */
export async function testDirectory(
  org: Signer,
  identities: DirectoryIdentity[],
  serial = 1,
): Promise<Uint8Array> {
  return signDirectory({ serial, issuedAt: Date.now(), identities }, org);
}

/** A store in a temp directory (light Argon2id), closed and removed by `cleanup`. */
export async function testStore(
  actor: string,
): Promise<{ store: RecordStore; dir: string; cleanup: () => Promise<void> }> {
  const t = tempDir(`fieldkit-${actor}-`);
  const store = await openStore({ path: t.dir, passphrase: actor, kdf: TEST_KDF, actor });
  return {
    store,
    dir: t.dir,
    cleanup: async () => {
      await store.close();
      t.cleanup();
    },
  };
}

/** A running hub on a free loopback port with its own store and a fresh certificate. */
export interface TestHub {
  readonly hub: HubHandle;
  readonly store: RecordStore;
  readonly tls: HubTls;
  readonly dir: string;
  stop(): Promise<void>;
}

let sharedTls: HubTls | undefined;

/** Starts a hub (certificate generated once per test file). */
export async function startTestHub(
  options: Partial<Omit<HubOptions, 'store' | 'tls' | 'log'>> = {},
): Promise<TestHub> {
  const { store, dir, cleanup } = await testStore('hub');
  sharedTls ??= await loadHubTls(store, { dir });
  const hub = await startHub({
    store,
    tls: sharedTls,
    port: 0,
    log: createLogger('silent'),
    liveness: { intervalMs: 300, timeoutMs: 1500 },
    revocationCheckMs: 200,
    ...options,
  });
  return {
    hub,
    store,
    tls: sharedTls,
    dir,
    async stop() {
      await hub.stop();
      await cleanup();
    },
  };
}

/** Test hooks for an endpoint: every event it announced, and waiters on them. */
export interface Watched {
  readonly events: LinkEvent[];
  /** Resolves with the first event (past or future) matching `match`. */
  until<E extends LinkEvent>(match: (e: LinkEvent) => e is E, ms?: number): Promise<E>;
  untilState(itemId: string, state: DeliveryState, ms?: number): Promise<void>;
  received(kind?: string): InboxEntry[];
}

/** Collects an endpoint's events. */
export function watch(): Watched & { onEvent: (e: LinkEvent) => void } {
  const events: LinkEvent[] = [];
  const waiters = new Set<() => void>();
  const onEvent = (e: LinkEvent) => {
    events.push(e);
    for (const w of [...waiters]) w();
  };
  const until = <E extends LinkEvent>(match: (e: LinkEvent) => e is E, ms = 20_000): Promise<E> =>
    new Promise<E>((resolve, reject) => {
      const check = () => {
        const hit = events.find(match);
        if (!hit) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(hit);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no matching link event in ${ms} ms`));
      }, ms);
      waiters.add(check);
      check();
    });
  return {
    events,
    onEvent,
    until,
    untilState: async (itemId, state, ms) => {
      await until(
        (e): e is Extract<LinkEvent, { type: 'state' }> =>
          e.type === 'state' && e.record.itemId === itemId && rank(e.record.state) >= rank(state),
        ms,
      );
    },
    received: (kind) =>
      events.flatMap((e) => (e.type === 'received' && (!kind || e.entry.kind === kind) ? [e.entry] : [])),
  };
}

/** A kit and a specialist, each with its own store, enrolled at a real hub under one organisation. */
export interface LinkWorld {
  readonly org: OrgSigner;
  readonly directory: Uint8Array;
  readonly hub: TestHub;
  readonly relay: TcpRelay | undefined;
  readonly kit: { endpoint: LinkEndpoint; store: RecordStore; link: HubLink; watched: Watched; dir: string };
  readonly spec: { endpoint: LinkEndpoint; store: RecordStore; link: HubLink; watched: Watched; dir: string };
  /** A new hub-socket carrier for a store's identity. */
  carrierFor(store: RecordStore, port?: number): HubSocketCarrier;
  /** Makes the hub serve other directory bytes (a tampering hub, a newer directory). */
  serveDirectory(bytes: Uint8Array): void;
  stop(): Promise<void>;
}

/** Builds a {@link LinkWorld} and starts both hub links. */
export async function linkWorld(
  options: {
    /** Puts the kit behind a relay (rate, cuts) to the hub's port. */
    kitRelay?: (hubPort: number) => Promise<TcpRelay>;
    /** Start the kit's hub link at once (default true). */
    startKit?: boolean;
    pacing?: PacingOptions;
  } = {},
): Promise<LinkWorld> {
  const org = await testOrg();
  const kitS = await testStore('kit');
  const specS = await testStore('spec');
  const kitId = kitS.store.publicIdentity;
  const specId = specS.store.publicIdentity;
  const directory = await testDirectory(org, [
    { id: 'kit-01', role: 'kit', name: 'Бригада 1', devices: [{ key: kitId.signing, box: kitId.sealing }] },
    {
      id: 'spec-ivanova',
      role: 'specialist',
      name: 'Иванова А. П., кардиолог',
      devices: [{ key: specId.signing, box: specId.sealing }],
    },
  ]);
  let served = directory;
  const hub = await startTestHub({ directory: () => served });
  const relay = options.kitRelay ? await options.kitRelay(hub.hub.port) : undefined;
  await hub.hub.enrolments.enroll({ device: toHex(kitId.signing), identity: 'kit-01', role: 'kit' });
  await hub.hub.enrolments.enroll({
    device: toHex(specId.signing),
    identity: 'spec-ivanova',
    role: 'specialist',
  });
  const carrierFor = (store: RecordStore, port = hub.hub.port) =>
    new HubSocketCarrier({
      url: `https://127.0.0.1:${port}`,
      certPem: hub.tls.cert,
      signer: storeIdentity(store).signer,
      connectTimeoutMs: 5000,
    });
  const make = async (s: { store: RecordStore; dir: string }, port: number) => {
    const watched = watch();
    const endpoint = new LinkEndpoint({
      store: s.store,
      identity: storeIdentity(s.store),
      orgKey: org.publicKey,
      onEvent: watched.onEvent,
      liveness: { intervalMs: 300, timeoutMs: 1500 },
      ...(options.pacing ? { pacing: options.pacing } : {}),
    });
    await endpoint.start(directory);
    const link = new HubLink(endpoint, carrierFor(s.store, port), {
      maxBackoffMs: 300,
      refusedBackoffMs: 500,
    });
    return { endpoint, store: s.store, link, watched, dir: s.dir };
  };
  const kit = await make(kitS, relay?.port ?? hub.hub.port);
  const spec = await make(specS, hub.hub.port);
  if (options.startKit !== false) kit.link.start();
  spec.link.start();
  return {
    org,
    directory,
    hub,
    relay,
    kit,
    spec,
    carrierFor,
    serveDirectory: (bytes) => {
      served = bytes;
    },
    async stop() {
      await kit.link.stop();
      await spec.link.stop();
      await kit.endpoint.stop();
      await spec.endpoint.stop();
      await relay?.close();
      await hub.stop();
      await kitS.cleanup();
      await specS.cleanup();
    },
  };
}
