import { getSodium } from './wasm-sodium.ts';

/** The kit's public identity: what specialists pin and what envelopes are sealed to. */
export interface PublicIdentity {
  signing: Uint8Array;
  sealing: Uint8Array;
}

/**
 * Derives the kit's Ed25519 (signing) and X25519 (sealing) key pairs from the 32-byte seeds kept
 * in the key bundle, so only seeds need storing and wrapping.
 */
export async function identityFromSeeds(signingSeed: Uint8Array, sealingSeed: Uint8Array) {
  const s = await getSodium();
  const sign = s.crypto_sign_seed_keypair(signingSeed);
  const box = s.crypto_box_seed_keypair(sealingSeed);
  return {
    publicKeys: { signing: sign.publicKey, sealing: box.publicKey } satisfies PublicIdentity,
    signingSecret: sign.privateKey,
    sealingSecret: box.privateKey,
  };
}

/** Ed25519 detached signature: conclusions and envelopes are signed by their sender. */
export async function sign(message: Uint8Array, signingSecret: Uint8Array): Promise<Uint8Array> {
  return (await getSodium()).crypto_sign_detached(message, signingSecret);
}

/** Verifies an Ed25519 detached signature against a pinned public key, offline. */
export async function verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) {
  try {
    return (await getSodium()).crypto_sign_verify_detached(signature, message, publicKey);
  } catch {
    return false;
  }
}

/** Anonymous sealed box to a recipient's X25519 key: the hub forwards what it cannot read. */
export async function sealTo(message: Uint8Array, recipient: Uint8Array): Promise<Uint8Array> {
  return (await getSodium()).crypto_box_seal(message, recipient);
}

/** Opens a sealed box addressed to us; null when it was not for us or was altered. */
export async function openSealed(sealed: Uint8Array, publicKey: Uint8Array, secretKey: Uint8Array) {
  try {
    return (await getSodium()).crypto_box_seal_open(sealed, publicKey, secretKey);
  } catch {
    return null;
  }
}
