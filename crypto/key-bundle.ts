import { Encoder } from 'cbor-x';
import { z } from 'zod';
import type { CryptoBackend } from './backend.ts';
import { KEY_BYTES } from './backend.ts';
import { KeyError } from './errors.ts';

const bytes32 = z
  .custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes')
  .refine((b) => b.byteLength === KEY_BYTES, 'expected 32 bytes');

/**
 * Every secret the kit holds, wrapped as one unit by the master key. Data keys are kept per
 * epoch so a rotation can be interrupted: records name the epoch they were sealed under.
 */
export const KeyBundle = z.object({
  deks: z.array(z.object({ epoch: z.number().int().nonnegative(), key: bytes32 })).min(1),
  currentEpoch: z.number().int().nonnegative(),
  indexKey: bytes32,
  signingSeed: bytes32,
  sealingSeed: bytes32,
});
/** See {@link KeyBundle}. */
export type KeyBundle = z.infer<typeof KeyBundle>;

const cbor = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false });
const BUNDLE_AAD = new TextEncoder().encode('fieldkit/key-bundle/v1');

/** Creates the secrets of a new store: one data key (epoch 0), an index key, identity seeds. */
export function newKeyBundle(backend: CryptoBackend): KeyBundle {
  return {
    deks: [{ epoch: 0, key: backend.randomBytes(KEY_BYTES) }],
    currentEpoch: 0,
    indexKey: backend.randomBytes(KEY_BYTES),
    signingSeed: backend.randomBytes(KEY_BYTES),
    sealingSeed: backend.randomBytes(KEY_BYTES),
  };
}

/** Seals a bundle under the master key (the form it takes in the key header). */
export function sealBundle(backend: CryptoBackend, bundle: KeyBundle, masterKey: Uint8Array): Uint8Array {
  const plain = cbor.encode(bundle);
  try {
    return backend.seal(plain, BUNDLE_AAD, masterKey);
  } finally {
    backend.zero(plain);
  }
}

/** Opens a sealed bundle; a failure here after the master key unwrapped means a damaged header. */
export function openBundle(backend: CryptoBackend, sealed: Uint8Array, masterKey: Uint8Array): KeyBundle {
  const plain = backend.open(sealed, BUNDLE_AAD, masterKey);
  if (!plain)
    throw new KeyError('corrupt_header', 'The key header is damaged: the key bundle does not verify.');
  try {
    const parsed = KeyBundle.safeParse(cbor.decode(plain));
    if (!parsed.success) throw new KeyError('corrupt_header', 'The key header holds a malformed key bundle.');
    // Copy out of the decoder's buffer so zeroing the plaintext does not zero the keys.
    const b = parsed.data;
    return {
      deks: b.deks.map((d) => ({ epoch: d.epoch, key: Uint8Array.from(d.key) })),
      currentEpoch: b.currentEpoch,
      indexKey: Uint8Array.from(b.indexKey),
      signingSeed: Uint8Array.from(b.signingSeed),
      sealingSeed: Uint8Array.from(b.sealingSeed),
    };
  } catch (error) {
    if (error instanceof KeyError) throw error;
    throw new KeyError('corrupt_header', 'The key header holds an undecodable key bundle.');
  } finally {
    backend.zero(plain);
  }
}

/** Overwrites every secret in a bundle (on lock and after rewrapping). */
export function zeroBundle(backend: CryptoBackend, bundle: KeyBundle): void {
  for (const d of bundle.deks) backend.zero(d.key);
  backend.zero(bundle.indexKey);
  backend.zero(bundle.signingSeed);
  backend.zero(bundle.sealingSeed);
}
