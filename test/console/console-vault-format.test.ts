import { describe, expect, it } from 'vitest';
import { toBase64Url } from '../../crypto/bytes.ts';
import type { SealedVault } from '../../pwa/console/app/keys/vault.ts';
import { VaultError, newDeviceKeys, openVault, sealVault } from '../../pwa/console/app/keys/vault.ts';

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
    expect(vault.v).toBe(2);
    const opened = await openVault(vault, PASS);
    expect(opened.migrated).toBe(false);
    expect(opened.vault).toEqual(vault);

    const other = toBase64Url(new Uint8Array(32).fill(9));
    expect(await refusal({ ...vault, org: other })).toBe('tampered');
    expect(await refusal({ ...vault, org: null })).toBe('tampered');
    expect(await refusal({ ...vault, orgCheck: 'ABCDEFGHJKMNPQRS' })).toBe('tampered');
    expect(await refusal({ ...vault, label: 'Чужой' })).toBe('tampered');
    // Without its binding a format-2 record is not taken for an old one.
    const { bind: _bind, ...unbound } = vault;
    void _bind;
    expect(await refusal(unbound)).toBe('tampered');
    // The identity and public keys are also in the AAD: they do not even open.
    expect(await refusal({ ...vault, identity: 'spec-petrov' })).toBe('wrong_passphrase');
    expect(await refusal({ ...vault, boxPublic: other })).toBe('wrong_passphrase');
    expect(await refusal(vault, 'не тот пароль')).toBe('wrong_passphrase');
    expect(await refusal({ ...vault, v: 3 })).toBe('damaged');
  });

  it('opens an old-format record and returns it bound; the bound one then refuses a change', async () => {
    const { bind: _bind, ...rest } = await sealed();
    void _bind;
    const old = { ...rest, v: 1 };
    const opened = await openVault(old, PASS);
    expect(opened.migrated).toBe(true);
    expect(opened.vault.v).toBe(2);
    expect(opened.vault.org).toBe(old.org);
    expect((await openVault(opened.vault, PASS)).migrated).toBe(false);
    expect(await refusal({ ...opened.vault, org: null })).toBe('tampered');
  });
});
