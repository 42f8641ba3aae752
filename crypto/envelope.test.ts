import { promisify } from 'node:util';
import { deflateRaw, inflateRaw } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Compressor, EnvelopeOpener } from './envelope.ts';
import { openEnvelope, readEnvelopeHeader, sealEnvelope } from './envelope.ts';
import { LinkCryptoError } from './link-error.ts';
import { looksLikeReceipt, signReceipt, verifyReceipt } from './receipt.ts';
import type { Signer } from './signed-item.ts';
import { getSodium } from './wasm-sodium.ts';

// The Node side of the injected compressor (a browser console uses CompressionStream).
const zlib: Compressor = {
  deflate: async (b) => new Uint8Array(await promisify(deflateRaw)(b)),
  inflate: async (b, max) => new Uint8Array(await promisify(inflateRaw)(b, { maxOutputLength: max })),
};

async function device(): Promise<{ signer: Signer; opener: EnvelopeOpener }> {
  const s = await getSodium();
  const sign = s.crypto_sign_keypair();
  const box = s.crypto_box_keypair();
  return {
    signer: {
      publicKey: sign.publicKey,
      sign: (m) => Promise.resolve(s.crypto_sign_detached(m, sign.privateKey)),
    },
    opener: {
      sealingKey: box.publicKey,
      unwrap: (sealed) => {
        try {
          return Promise.resolve(s.crypto_box_seal_open(sealed, box.publicKey, box.privateKey));
        } catch {
          return Promise.resolve(null);
        }
      },
    },
  };
}

const body = new TextEncoder().encode('SpO2 97 %, ЧСС 72; '.repeat(40));
const item = (at = 1_700_000_000_000) => ({
  id: new Uint8Array(16).fill(7),
  kind: 'consultation',
  from: 'kit-01',
  to: 'spec-ivanova',
  at,
  pri: 1 as const,
  body,
});

describe('sealed envelopes', () => {
  it('seal -> open round-trips for every addressed device, compresses CBOR, and ids are content hashes', async () => {
    const kit = await device();
    const laptop = await device();
    const phone = await device();
    const env = await sealEnvelope({
      item: item(),
      signer: kit.signer,
      recipients: [laptop.opener.sealingKey, phone.opener.sealingKey],
      compressor: zlib,
    });
    expect(env.header.z).toBe(1);
    expect(env.header.wraps).toHaveLength(2);
    expect(env.bytes.byteLength).toBeLessThan(body.byteLength);
    for (const d of [laptop, phone]) {
      const opened = await openEnvelope(env.bytes, [d.opener], zlib);
      expect(opened.id).toBe(env.id);
      expect(new TextDecoder().decode(opened.item.fields.body)).toBe(new TextDecoder().decode(body));
      expect(opened.item.fields.key).toEqual(kit.signer.publicKey);
    }
    const stranger = await device();
    await expect(openEnvelope(env.bytes, [stranger.opener], zlib)).rejects.toMatchObject({
      code: 'not_addressed',
    });
    // The same item sealed twice is a different envelope (fresh content key): ids are per envelope.
    const again = await sealEnvelope({
      item: item(),
      signer: kit.signer,
      recipients: [laptop.opener.sealingKey],
    });
    expect(again.id).not.toBe(env.id);
    expect(readEnvelopeHeader(again.bytes).header).toMatchObject({ to: 'spec-ivanova', pri: 1, z: 0 });
  });

  it('refuses a re-signed or re-addressed envelope with a typed reason', async () => {
    const kit = await device();
    const doc = await device();
    const env = await sealEnvelope({ item: item(), signer: kit.signer, recipients: [doc.opener.sealingKey] });
    // Flip one ciphertext byte: the AEAD refuses.
    const flipped = Uint8Array.from(env.bytes);
    flipped[flipped.length - 20]! ^= 1;
    await expect(openEnvelope(flipped, [doc.opener])).rejects.toMatchObject({ code: 'decrypt_failed' });
    // A signer that signs garbage: the signature check refuses.
    const liar: Signer = {
      publicKey: kit.signer.publicKey,
      sign: () => Promise.resolve(new Uint8Array(64).fill(1)),
    };
    const forged = await sealEnvelope({ item: item(), signer: liar, recipients: [doc.opener.sealingKey] });
    await expect(openEnvelope(forged.bytes, [doc.opener])).rejects.toMatchObject({ code: 'bad_signature' });
  });

  it('decoders only ever throw LinkCryptoError on arbitrary bytes, truncations and bit flips', async () => {
    const kit = await device();
    const doc = await device();
    const env = await sealEnvelope({
      item: item(),
      signer: kit.signer,
      recipients: [doc.opener.sealingKey],
      compressor: zlib,
    });
    const receipt = await signReceipt(
      { env: new Uint8Array(32), state: 'read', at: 1, from: 'spec-ivanova', to: 'kit-01', pri: 2 },
      doc.signer,
    );
    const samples = [env.bytes, receipt.bytes];
    const expectTyped = async (bytes: Uint8Array) => {
      for (const run of [
        () => Promise.resolve(readEnvelopeHeader(bytes)),
        () => openEnvelope(bytes, [doc.opener], zlib),
        () => verifyReceipt(bytes),
      ]) {
        try {
          await run();
        } catch (error) {
          expect(error).toBeInstanceOf(LinkCryptoError);
        }
      }
    };
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), async (bytes) => {
        // Prefixing a real magic makes the fuzz reach past the first check.
        await expectTyped(bytes);
        await expectTyped(Uint8Array.from([...env.bytes.subarray(0, 8), ...bytes]));
      }),
      { numRuns: 400 },
    );
    await fc.assert(
      fc.asyncProperty(fc.nat(1), fc.nat(), fc.nat(7), fc.boolean(), async (which, at, bit, truncate) => {
        const base = samples[which]!;
        const pos = at % base.byteLength;
        const mutated = truncate ? base.subarray(0, pos) : Uint8Array.from(base);
        if (!truncate) mutated[pos]! ^= 1 << bit;
        await expectTyped(mutated);
        // A mutated envelope must never open as valid.
        if (which === 0)
          await expect(openEnvelope(mutated, [doc.opener], zlib)).rejects.toBeInstanceOf(LinkCryptoError);
      }),
      { numRuns: 400 },
    );
  });

  it('receipts verify, and a receipt with a swapped key is refused', async () => {
    const doc = await device();
    const other = await device();
    const r = await signReceipt(
      {
        env: new Uint8Array(32).fill(3),
        state: 'delivered',
        at: 5,
        from: 'spec-ivanova',
        to: 'kit-01',
        pri: 2,
      },
      doc.signer,
    );
    expect(looksLikeReceipt(r.bytes)).toBe(true);
    expect((await verifyReceipt(r.bytes)).fields.state).toBe('delivered');
    const swapped = Uint8Array.from(r.bytes);
    const at = Buffer.from(swapped).indexOf(Buffer.from(doc.signer.publicKey));
    swapped.set(other.signer.publicKey, at);
    await expect(verifyReceipt(swapped)).rejects.toMatchObject({ code: 'bad_signature' });
  });
});
