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
  sharedTls ??= await loadHubTls(dir);
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
