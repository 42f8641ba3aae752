import sodium from 'libsodium-wrappers-sumo';

/** The libsodium WebAssembly module type, for callers that need more than the backend offers. */
export type Sodium = typeof sodium;

let ready: Promise<Sodium> | undefined;

/**
 * libsodium-wrappers must finish instantiating its WebAssembly before any call; this awaits it
 * once per process. It provides Argon2id, Ed25519 and X25519 for the cold paths.
 */
export function getSodium(): Promise<Sodium> {
  ready ??= sodium.ready.then(() => sodium);
  return ready;
}
