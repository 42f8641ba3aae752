import { describe, expect, it } from 'vitest';
import { loadBackend } from './backend.ts';
import { identityFromSeeds } from './identity.ts';
import { DEFAULT_KDF, SALT_BYTES, deriveKek } from './kdf.ts';
import { createKeyHeader, unlockWithPassphrase } from './key-header.ts';

const PARAMS = [
  { opsLimit: 1, memLimitBytes: 8 * 1024 },
  { opsLimit: 2, memLimitBytes: 1024 * 1024 },
  { opsLimit: 3, memLimitBytes: 4 * 1024 * 1024 },
];
const PASSPHRASES = [
  'bench',
  'пароль бригады',
  'Ёлка и йод'.normalize('NFD'),
  'ﬁeld kit №7 ２０２５',
  'x'.repeat(300),
];

describe('Argon2id KEK', () => {
  it('is byte-identical from sodium-native and libsodium WebAssembly', async () => {
    const salt = Uint8Array.from({ length: SALT_BYTES }, (_, i) => (i * 37 + 11) & 0xff);
    for (const params of PARAMS)
      for (const passphrase of PASSPHRASES) {
        const native = await deriveKek(passphrase, salt, params, 'sodium-native');
        const wasm = await deriveKek(passphrase, salt, params, 'libsodium-wasm');
        expect(Buffer.from(native).toString('hex')).toBe(Buffer.from(wasm).toString('hex'));
        expect(native.byteLength).toBe(32);
      }
  });

  it('normalises to NFKC before hashing', async () => {
    const salt = new Uint8Array(SALT_BYTES);
    const params = PARAMS[0]!;
    const composed = await deriveKek('Ёлка', salt, params);
    const decomposed = await deriveKek('Ёлка'.normalize('NFD'), salt, params);
    expect(Buffer.from(composed).equals(Buffer.from(decomposed))).toBe(true);
  });

  it('matches the WebAssembly build at the production parameters', async () => {
    const salt = Uint8Array.from({ length: SALT_BYTES }, (_, i) => i);
    const native = await deriveKek('пароль бригады', salt, DEFAULT_KDF, 'sodium-native');
    const wasm = await deriveKek('пароль бригады', salt, DEFAULT_KDF, 'libsodium-wasm');
    expect(Buffer.from(native).equals(Buffer.from(wasm))).toBe(true);
  }, 20_000);

  it('lets a header created with one backend unlock with the other', async () => {
    const native = await loadBackend('sodium-native');
    const wasm = await loadBackend('libsodium-wasm');
    for (const [make, open] of [
      [native, wasm],
      [wasm, native],
    ] as const) {
      const created = await createKeyHeader(make, 'Пароль 2025', PARAMS[1]!, async (b) => {
        const id = await identityFromSeeds(b.signingSeed, b.sealingSeed);
        return id.publicKeys;
      });
      const again = await unlockWithPassphrase(open, created.header, 'Пароль 2025');
      expect(Buffer.from(again.masterKey).equals(Buffer.from(created.unlocked.masterKey))).toBe(true);
    }
  });
});
