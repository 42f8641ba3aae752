import type { BackendName, CryptoBackend } from './backend-contract.ts';

export { KEY_BYTES, NONCE_BYTES, TAG_BYTES } from './backend-contract.ts';
export type { BackendName, CryptoBackend } from './backend-contract.ts';

/**
 * Loads a backend lazily: sodium-native is a native addon that may be missing on some machines,
 * so it is only imported when chosen, and 'auto' falls back to WebAssembly.
 */
export async function loadBackend(name: BackendName | 'auto' = 'auto'): Promise<CryptoBackend> {
  if (name === 'libsodium-wasm') {
    const { createWasmBackend } = await import('./wasm-backend.ts');
    return createWasmBackend();
  }
  try {
    const { createNativeBackend } = await import('./native-backend.ts');
    return createNativeBackend();
  } catch (error) {
    if (name === 'sodium-native') throw error;
    const { createWasmBackend } = await import('./wasm-backend.ts');
    return createWasmBackend();
  }
}
