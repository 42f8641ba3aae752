import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadBackend } from './backend.ts';
import { KeyError } from './errors.ts';
import { identityFromSeeds, openSealed, sealTo, sign, verify } from './identity.ts';
import { createKeyHeader, decodeKeyHeader, encodeKeyHeader, unlockWithPassphrase } from './key-header.ts';
import { Keyring } from './keyring.ts';

const LIGHT = { opsLimit: 1, memLimitBytes: 8 * 1024 };

async function fresh() {
  const backend = await loadBackend('auto');
  const created = await createKeyHeader(backend, 'пароль бригады', LIGHT, async (b) => {
    const id = await identityFromSeeds(b.signingSeed, b.sealingSeed);
    return id.publicKeys;
  });
  return { backend, ...created };
}

describe('key header', () => {
  it('unlocks with the passphrase (NFKC-normalised) and refuses another', async () => {
    const { backend, header, unlocked } = await fresh();
    const decoded = decodeKeyHeader(encodeKeyHeader(header));
    const again = await unlockWithPassphrase(backend, decoded, 'пароль бригады'.normalize('NFD'));
    expect(Buffer.from(again.masterKey).equals(Buffer.from(unlocked.masterKey))).toBe(true);
    await expect(unlockWithPassphrase(backend, decoded, 'чужой')).rejects.toMatchObject({
      code: 'wrong_secret',
    });
  });

  it('rejects any damaged header bytes with a KeyError, never a crash', async () => {
    const { header } = await fresh();
    const bytes = encodeKeyHeader(header);
    fc.assert(
      fc.property(fc.nat(bytes.byteLength - 1), fc.nat(7), (at, bit) => {
        const damaged = Uint8Array.from(bytes);
        damaged[at] = (damaged[at] ?? 0) ^ (1 << bit);
        try {
          decodeKeyHeader(damaged);
        } catch (error) {
          expect(error).toBeInstanceOf(KeyError);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('gives both backends identical results for the same key', async () => {
    const native = await loadBackend('sodium-native');
    const wasm = await loadBackend('libsodium-wasm');
    const key = native.randomBytes(32);
    const aad = Buffer.from('observations\u0000x');
    const sealed = native.seal(Buffer.from('SpO2 97%'), aad, key);
    expect(Buffer.from(wasm.open(sealed, aad, key) ?? []).toString()).toBe('SpO2 97%');
    expect(wasm.open(sealed, Buffer.from('other'), key)).toBeNull();
    const h1 = Buffer.from(native.hash(Buffer.from('a'), 16, key));
    expect(h1.equals(Buffer.from(wasm.hash(Buffer.from('a'), 16, key)))).toBe(true);
  });
});

describe('kit identity', () => {
  it('signs, verifies and opens envelopes sealed to it; zeroes keys on lock', async () => {
    const { backend, unlocked, header } = await fresh();
    const keyring = new Keyring(backend, unlocked);
    const message = new TextEncoder().encode('conclusion');
    const signature = await keyring.sign(message);
    expect(await verify(signature, message, header.publicKeys.signing)).toBe(true);
    expect(await verify(signature, new TextEncoder().encode('changed'), header.publicKeys.signing)).toBe(
      false,
    );
    const sealed = await sealTo(message, header.publicKeys.sealing);
    expect(Buffer.from((await keyring.openSealed(sealed)) ?? []).toString()).toBe('conclusion');
    const other = await identityFromSeeds(backend.randomBytes(32), backend.randomBytes(32));
    expect(await openSealed(sealed, other.publicKeys.sealing, other.sealingSecret)).toBeNull();
    expect((await sign(message, other.signingSecret)).byteLength).toBe(64);
    const indexKey = keyring.bundle.indexKey;
    keyring.lock();
    expect(indexKey.every((b) => b === 0)).toBe(true);
    expect(() => keyring.blind('t', 'v')).toThrow(/locked/);
  });
});
