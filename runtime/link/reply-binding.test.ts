import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../crypto/bytes.ts';
import type { Directory } from '../../crypto/directory.ts';
import { verifyDirectory } from '../../crypto/directory.ts';
import { signItem } from '../../crypto/signed-item.ts';
import { encodeWire } from '../../crypto/wire-cbor.ts';
import type { TestDevice } from '../../test/helpers/link-world.ts';
import { testDevice, testDirectory, testOrg } from '../../test/helpers/link-world.ts';
import type { SentItem, VerifyContext } from './verify-item.ts';
import { verifyItem } from './verify-item.ts';

// Real keys, a real org-signed directory and real signatures; the kit's record of what it sent
// is a plain map (the outbox's own lookup is exercised by test/link-reply-binding.test.ts).
let dir: Directory;
let ivanova: TestDevice;
let kit: TestDevice;
const env = () => toHex(randomBytes(32));
const item = () => toHex(randomBytes(16));
const toIvanova = { itemId: item(), envelopeId: env(), kind: 'consultation', to: 'spec-ivanova' };
const toPetrov = { itemId: item(), envelopeId: env(), kind: 'consultation', to: 'spec-petrov' };
const toTeam = { itemId: item(), envelopeId: env(), kind: 'consultation', to: 'team-cardio' };
const photo = { itemId: item(), envelopeId: env(), kind: 'photo', to: 'spec-ivanova' };
const sentItems = [toIvanova, toPetrov, toTeam, photo];

beforeAll(async () => {
  const org = await testOrg();
  [ivanova, kit] = [await testDevice(), await testDevice()];
  const petrov = await testDevice();
  const team = await testDevice();
  const device = (d: TestDevice) => ({ key: d.signer.publicKey, box: d.opener.sealingKey });
  dir = await verifyDirectory(
    await testDirectory(org, [
      { id: 'kit-01', role: 'kit', name: 'Бригада 1', devices: [device(kit)] },
      { id: 'spec-ivanova', role: 'specialist', name: 'Иванова', devices: [device(ivanova)] },
      { id: 'spec-petrov', role: 'specialist', name: 'Петров', devices: [device(petrov)] },
      {
        id: 'team-cardio',
        role: 'team',
        name: 'Кардиологи',
        devices: [device(team)],
        members: ['spec-ivanova'],
      },
    ]),
    org.publicKey,
  );
});

/** Ivanova's reply of `kind` answering `ref`, checked by the kit with the envelope's `re`. */
async function check(kind: string, ref: string | undefined, re: string | undefined) {
  const signed = await signItem(
    {
      v: 1,
      id: randomBytes(16),
      kind,
      from: 'spec-ivanova',
      key: ivanova.signer.publicKey,
      to: 'kit-01',
      at: Date.now(),
      pri: 2,
      ...(ref ? { ref } : {}),
      body: encodeWire({ text: 'Ответ' }),
    },
    ivanova.signer,
  );
  const lookup = (match: (s: (typeof sentItems)[number]) => boolean): SentItem | undefined =>
    sentItems.find(match);
  const ctx: VerifyContext = {
    directory: dir,
    sentRecords: () => undefined,
    header: { to: 'kit-01', pri: 2, ...(re ? { re } : {}) },
    sent: {
      byItemId: (id) => lookup((s) => s.itemId === id),
      byEnvelopeId: (id) => lookup((s) => s.envelopeId === id),
    },
  };
  const verdict = await verifyItem(signed.fields, signed.signed, signed.signature, ctx);
  return { verified: verdict.verified, codes: verdict.reasons.map((r) => r.split(':')[0]) };
}

describe('a reply is bound to the consultation it answers (envelope re + signed ref)', () => {
  it('verifies a reply whose re and ref name the same consultation sent to its signer, or to a team the signer is in', async () => {
    expect(await check('message', toIvanova.itemId, toIvanova.envelopeId)).toEqual({
      verified: true,
      codes: [],
    });
    expect(await check('voice', toTeam.itemId, toTeam.envelopeId)).toEqual({ verified: true, codes: [] });
  });

  it('leaves items that answer nothing of ours alone', async () => {
    expect(await check('message', undefined, undefined)).toEqual({ verified: true, codes: [] });
    expect(await check('message', item(), undefined)).toEqual({ verified: true, codes: [] });
  });

  it('marks a reply without re unverified (the hub could not check its holder)', async () => {
    expect(await check('message', toIvanova.itemId, undefined)).toEqual({
      verified: false,
      codes: ['unbound_reply'],
    });
  });

  it('marks forged re values unverified, each with its reason', async () => {
    // A re naming nothing this kit sent.
    expect((await check('message', toIvanova.itemId, env())).codes).toEqual(['unknown_consultation']);
    // A re naming something of ours that is not a consultation.
    expect((await check('message', photo.itemId, photo.envelopeId)).codes).toEqual(['unknown_consultation']);
    // A re naming another of our consultations than the signed ref.
    expect((await check('message', toIvanova.itemId, toTeam.envelopeId)).codes).toEqual(['reply_mismatch']);
    // A consultation sent to Petrov, answered by Ivanova (re and ref agree, the signer does not).
    expect((await check('message', toPetrov.itemId, toPetrov.envelopeId)).codes).toEqual([
      'not_addressed_to_signer',
    ]);
    // Both at once.
    expect((await check('message', toIvanova.itemId, toPetrov.envelopeId)).codes).toEqual([
      'reply_mismatch',
      'not_addressed_to_signer',
    ]);
  });
});
