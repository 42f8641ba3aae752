import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadBackend } from './backend.ts';
import { signDirectory, verifyDirectory } from './directory.ts';
import type { DirectoryFields } from './directory.ts';
import { KeyError } from './errors.ts';
import { LinkCryptoError } from './link-error.ts';
import { createOrgKey, readOrgKeyFile, unlockOrgKey } from './org-key.ts';
import { getSodium } from './wasm-sodium.ts';

const LIGHT = { opsLimit: 1, memLimitBytes: 8 * 1024 };

async function keys() {
  const s = await getSodium();
  return { key: s.crypto_sign_keypair().publicKey, box: s.crypto_box_keypair().publicKey };
}

async function sample(serial = 3): Promise<Omit<DirectoryFields, 'v' | 'org'>> {
  return {
    serial,
    issuedAt: 1_700_000_000_000,
    identities: [
      { id: 'kit-01', role: 'kit', name: 'Бригада 1', devices: [await keys()] },
      {
        id: 'spec-ivanova',
        role: 'specialist',
        name: 'Иванова А. П., кардиолог',
        devices: [await keys(), await keys()],
      },
      {
        id: 'team-cardio',
        role: 'team',
        name: 'Кардиология',
        devices: [await keys()],
        members: ['spec-ivanova'],
      },
    ],
  };
}

describe('organisation key and signed directory', () => {
  it('org key: passphrase-sealed, public key readable, wrong passphrase refused', async () => {
    const backend = await loadBackend('auto');
    const { file, signer } = await createOrgKey(backend, 'орг пароль', LIGHT);
    expect(Buffer.from(readOrgKeyFile(file).publicKey).equals(Buffer.from(signer.publicKey))).toBe(true);
    const again = await unlockOrgKey(backend, file, 'орг пароль');
    expect(again.publicKey).toEqual(signer.publicKey);
    await expect(unlockOrgKey(backend, file, 'wrong')).rejects.toBeInstanceOf(KeyError);
  });

  it('verifies against the pinned key; lookups find devices, team keys and members', async () => {
    const backend = await loadBackend('auto');
    const { signer } = await createOrgKey(backend, 'x', LIGHT);
    const fields = await sample();
    const signed = await signDirectory(fields, signer);
    const dir = await verifyDirectory(signed, signer.publicKey);
    expect(dir.serial).toBe(3);
    const doc = fields.identities[1]!;
    expect(dir.deviceBySigningKey(doc.devices[1]!.key)?.identity.id).toBe('spec-ivanova');
    expect(dir.isDeviceOf('kit-01', doc.devices[0]!.key)).toBe(false);
    expect(dir.sealingKeysFor('team-cardio')).toHaveLength(3);
    expect(dir.recipientsOf('team-cardio')).toEqual(['team-cardio', 'spec-ivanova']);
    await expect(verifyDirectory(signed, signer.publicKey, 4)).rejects.toMatchObject({ code: 'rollback' });
  });

  it('a substituted device key, a foreign organisation and random damage are refused with a typed reason', async () => {
    const backend = await loadBackend('auto');
    const { signer } = await createOrgKey(backend, 'x', LIGHT);
    const fields = await sample();
    const signed = await signDirectory(fields, signer);
    // A hub swaps the specialist's sealing key for its own.
    const mine = await keys();
    const tampered = Uint8Array.from(signed);
    const at = Buffer.from(tampered).indexOf(Buffer.from(fields.identities[1]!.devices[0]!.box));
    tampered.set(mine.box, at);
    const refused = await verifyDirectory(tampered, signer.publicKey).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'bad_signature' });
    expect((refused as Error).message).toMatch(
      /not signed by the pinned organisation key [0-9a-f-]+: a device key may have been substituted/,
    );
    // A hub that re-signs with its own "organisation" key.
    const { signer: fake } = await createOrgKey(backend, 'y', LIGHT);
    await expect(verifyDirectory(await signDirectory(fields, fake), signer.publicKey)).rejects.toMatchObject({
      code: 'wrong_org',
    });
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(7), async (pos, bit) => {
        const damaged = Uint8Array.from(signed);
        damaged[pos % damaged.byteLength]! ^= 1 << bit;
        await expect(verifyDirectory(damaged, signer.publicKey)).rejects.toBeInstanceOf(LinkCryptoError);
      }),
      { numRuns: 300 },
    );
  });
});
