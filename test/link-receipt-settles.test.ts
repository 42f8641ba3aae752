import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { fromHex } from '../crypto/bytes.ts';
import { signReceipt } from '../crypto/receipt.ts';
import { encodeWire } from '../crypto/wire-cbor.ts';
import { storeIdentity } from '../runtime/link/endpoint-identity.ts';
import { RECEIPT_PRIORITY } from '../runtime/link/items.ts';
import type { LinkWorld } from './helpers/link-world.ts';
import { linkWorld } from './helpers/link-world.ts';

let world: LinkWorld | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

// The case this guards was seen in the namespace test: the hub committed an item, its STORED
// frame was lost in a cut, and the specialist's receipt reached the kit on the next session. The
// receipt moved the state to 'delivered', which is no longer sendable, so nothing ever released
// the outbox item. Here the kit's link is not started, so the receipt is the only news of the
// item the kit gets: it reaches the inbox exactly as the receiver hands it over (putWhole).
describe('a receipt for an item whose commit never reached the kit', () => {
  it.each(['delivered', 'read'] as const)(
    '(%s) settles the item: state moves on, the outbox item and its sealed blocks are gone',
    async (state) => {
      world = await linkWorld({ startKit: false });
      const { kit, spec } = world;
      await kit.endpoint.send({
        kind: 'vitals',
        to: 'spec-ivanova',
        body: encodeWire({ spo2: 94, hr: 88 }),
      });
      const photo = await kit.endpoint.send({
        kind: 'photo',
        to: 'spec-ivanova',
        body: new Uint8Array(randomBytes(60_000)),
        media: 'image/jpeg',
      });
      await kit.endpoint.outbox.sealed();
      const rec = kit.endpoint.outbox.byItemId(photo.itemId)!;
      expect(rec.state).toBe('queued');
      expect(await kit.store.outboxSize()).toBe(2);
      expect((await kit.store.linkScan(`ob/${rec.outboxId}/`)).length).toBeGreaterThan(0);

      const receipt = await signReceipt(
        {
          env: fromHex(rec.envelopeId!)!,
          state,
          at: Date.now(),
          from: 'spec-ivanova',
          to: 'kit-01',
          pri: RECEIPT_PRIORITY,
        },
        storeIdentity(spec.store).signer,
      );
      expect(await kit.endpoint.inbox.putWhole(receipt.id, receipt.bytes)).toBe('stored');

      const after = kit.endpoint.outbox.byItemId(photo.itemId)!;
      expect(after.state).toBe(state);
      expect(after.bytesAcked).toBe(after.size);
      // Only the vitals item is left; the photo's blocks and manifest are freed.
      expect(await kit.store.outboxSize()).toBe(1);
      expect(await kit.store.linkScan(`ob/${rec.outboxId}/`)).toEqual([]);
      expect(await kit.store.linkGet(`om/${rec.outboxId}`)).toBeUndefined();
      expect(kit.endpoint.outbox.sendable().map((r) => r.itemId)).not.toContain(photo.itemId);
      // A second receipt (read after delivered) only moves the state.
      if (state === 'delivered') {
        const read = await signReceipt(
          {
            env: fromHex(rec.envelopeId!)!,
            state: 'read',
            at: Date.now(),
            from: 'spec-ivanova',
            to: 'kit-01',
            pri: RECEIPT_PRIORITY,
          },
          storeIdentity(spec.store).signer,
        );
        await kit.endpoint.inbox.putWhole(read.id, read.bytes);
        expect(kit.endpoint.outbox.byItemId(photo.itemId)!.state).toBe('read');
        expect(await kit.store.outboxSize()).toBe(1);
      }
    },
  );
});
