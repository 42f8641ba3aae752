import { describe, expect, it } from 'vitest';
import { toBase64Url } from '../../crypto/bytes.ts';
import type { SealedVault } from '../../pwa/console/app/keys/vault.ts';
import { VaultError, newDeviceKeys, openVault, sealVault } from '../../pwa/console/app/keys/vault.ts';
import { sealLegacyVault } from './legacy-vault.ts';

// The vault's format with real libsodium (Argon2id at its smallest cost, so the cases run fast):
// every field that decides trust is bound, and a failure says which kind it is.
const KDF = { ops: 1, memBytes: 8 * 1024 };
const PASS = 'кардиолог-2026';

async function sealed(): Promise<SealedVault> {
  const keys = await newDeviceKeys();
  return sealVault(
    keys,
    PASS,
    { identity: 'spec-ivanova', org: toBase64Url(new Uint8Array(32).fill(7)), label: 'Ноутбук' },
    KDF,
  );
}

async function refusal(stored: unknown, passphrase = PASS): Promise<string> {
  try {
    await openVault(stored, passphrase);
  } catch (error) {
    if (error instanceof VaultError) return error.code;
    throw error;
  }
  return 'opened';
}

describe('the console vault format', () => {
  it('opens a genuine record and refuses each changed field that decides trust', async () => {
    const vault = await sealed();
    expect(vault.v).toBe(3);
    const opened = await openVault(vault, PASS);
    expect(opened.migrated).toBe(false);
    expect(opened.vault).toEqual(vault);

    const other = toBase64Url(new Uint8Array(32).fill(9));
    expect(await refusal({ ...vault, org: other })).toBe('tampered');
    expect(await refusal({ ...vault, org: null })).toBe('tampered');
    expect(await refusal({ ...vault, orgCheck: 'ABCDEFGHJKMNPQRS' })).toBe('tampered');
    expect(await refusal({ ...vault, label: 'Чужой' })).toBe('tampered');
    // Without its binding a format-3 record is not taken for an old one.
    const { bind: _bind, ...unbound } = vault;
    void _bind;
    expect(await refusal(unbound)).toBe('tampered');
    // Nor relabelled as an older format, whose records are migrated: its sealed part opens only
    // as format 3 (its AAD names the format), so a swapped organisation key cannot ride in on
    // the migration; the right passphrase opening it as format 3 says the record was changed.
    expect(await refusal({ ...unbound, v: 1, org: other })).toBe('tampered');
    expect(await refusal({ ...unbound, v: 1 })).toBe('tampered');
    expect(await refusal({ ...vault, v: 2 })).toBe('tampered');
    // The identity and public keys are also in the AAD: they do not even open.
    expect(await refusal({ ...vault, identity: 'spec-petrov' })).toBe('wrong_passphrase');
    expect(await refusal({ ...vault, boxPublic: other })).toBe('wrong_passphrase');
    expect(await refusal(vault, 'не тот пароль')).toBe('wrong_passphrase');
    expect(await refusal({ ...vault, v: 4 })).toBe('damaged');
  });

  it('opens older-format records and returns them sealed again as format 3; that one then refuses a change', async () => {
    const keys = await newDeviceKeys();
    const meta = { identity: 'spec-ivanova', org: toBase64Url(new Uint8Array(32).fill(7)), label: 'Ноутбук' };
    for (const v of [1, 2] as const) {
      const old = await sealLegacyVault(v, keys, PASS, meta, KDF);
      const opened = await openVault(old, PASS);
      expect(opened.migrated).toBe(true);
      expect(opened.vault.v).toBe(3);
      expect(opened.vault.org).toBe(old.org);
      expect(opened.vault.cipher).not.toBe(old.cipher);
      expect(opened.keys.signPublic).toEqual(keys.signPublic);
      expect((await openVault(opened.vault, PASS)).migrated).toBe(false);
      expect(await refusal({ ...opened.vault, org: null })).toBe('tampered');
      // The migrated record's sealed part does not open as the old format it came from.
      const { bind: _bind, ...unbound } = opened.vault;
      void _bind;
      expect(await refusal({ ...unbound, v: 1 })).toBe('tampered');
      expect(await refusal({ ...unbound, v: 1 }, 'не тот пароль')).toBe('wrong_passphrase');
    }
    // A format-2 record is checked before it is migrated: a swapped key is refused, not carried over.
    const v2 = await sealLegacyVault(2, keys, PASS, meta, KDF);
    expect(await refusal({ ...v2, org: toBase64Url(new Uint8Array(32).fill(9)) })).toBe('tampered');
  });
});
