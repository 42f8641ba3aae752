import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeWire } from '../crypto/wire-cbor.ts';
import { LinkEndpoint } from '../runtime/link/endpoint.ts';
import { storeIdentity } from '../runtime/link/endpoint-identity.ts';
import type { InboxEntry } from '../runtime/link/inbox-records.ts';
import { InboxRecordError, PIECE_BYTES } from '../runtime/link/inbox-records.ts';
import { MAX_INLINE_BODY_BYTES } from '../runtime/link/send-error.ts';
import { openStore } from '../store/index.ts';
import type { RecordStore } from '../store/index.ts';
import { TEST_KDF } from '../store/testing.ts';
import type { LinkWorld } from './helpers/link-world.ts';
import { linkWorld } from './helpers/link-world.ts';

let world: LinkWorld | undefined;
let reopened: { endpoint: LinkEndpoint; store: RecordStore } | undefined;
afterEach(async () => {
  await reopened?.endpoint.stop();
  await reopened?.store.close();
  reopened = undefined;
  await world?.stop();
  world = undefined;
});

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

// A received item used to be kept in one store record holding the body twice (as the body and
// inside the signed bytes). The store writes such a record but reads back only up to 1 MiB, so
// after a photo over ~0.5 MB arrived, inbox.entries() threw for every caller, for good.
describe('the inbox keeps large received items readable', () => {
  it('a 3 MB photo received over the hub reads back intact, also after a restart; a lost piece is a typed error', async () => {
    world = await linkWorld();
    const { kit, spec } = world;
    const photo = new Uint8Array(randomBytes(3 * 1024 * 1024));
    // Over the inline-entry size, but small enough to travel inline in the kit's outbox.
    const medium = new Uint8Array(randomBytes(400_000));
    // A photo is a stored blob on the kit (as the tablet's are), sent by its attachment id.
    const blob = await kit.store.putBlob({ kind: 'photo', mediaType: 'image/jpeg' }, [photo]);
    const sentPhoto = await kit.endpoint.send({
      kind: 'photo',
      to: 'spec-ivanova',
      attachmentId: blob.id,
      media: 'image/jpeg',
    });
    const sentMedium = await kit.endpoint.send({
      kind: 'photo',
      to: 'spec-ivanova',
      body: medium,
      media: 'image/jpeg',
    });
    const sentNote = await kit.endpoint.send({
      kind: 'message',
      to: 'spec-ivanova',
      body: encodeWire({ text: 'Снимок раны, 3 МБ' }),
    });
    // An inline body the kit's outbox record could not hold is refused up front, nothing queued.
    const queued = kit.endpoint.outbox.records().length;
    await expect(
      kit.endpoint.send({
        kind: 'photo',
        to: 'spec-ivanova',
        body: new Uint8Array(MAX_INLINE_BODY_BYTES + 1),
      }),
    ).rejects.toMatchObject({ name: 'SendInputError', code: 'body_too_large' });
    expect(kit.endpoint.outbox.records()).toHaveLength(queued);
    for (const s of [sentPhoto, sentMedium, sentNote])
      await kit.watched.untilState(s.itemId, 'delivered', 60_000);

    const check = (entries: InboxEntry[]) => {
      const byItem = new Map(entries.map((e) => [e.itemId, e]));
      expect(entries).toHaveLength(3);
      expect(sha(byItem.get(sentPhoto.itemId)!.body)).toBe(sha(photo));
      expect(byItem.get(sentPhoto.itemId)!.body.byteLength).toBe(photo.byteLength);
      expect(sha(byItem.get(sentMedium.itemId)!.body)).toBe(sha(medium));
      expect(byItem.get(sentNote.itemId)!.kind).toBe('message');
      for (const e of entries) expect(e.verdict).toEqual({ verified: true, reasons: [] });
    };
    check(await spec.endpoint.inbox.entries());

    // Restart the specialist's side: a new store handle and endpoint on the same directory.
    await spec.link.stop();
    await spec.endpoint.stop();
    await spec.store.close();
    const store = await openStore({ path: spec.dir, passphrase: 'spec', kdf: TEST_KDF, actor: 'spec' });
    const endpoint = new LinkEndpoint({
      store,
      identity: storeIdentity(store),
      orgKey: world.org.publicKey,
      onEvent: () => undefined,
    });
    reopened = { endpoint, store };
    await endpoint.start(world.directory);
    const after = await endpoint.inbox.entries();
    check(after);
    // The signed bytes read back still verify offline, signature and all.
    const photoEntry = after.find((e) => e.itemId === sentPhoto.itemId)!;
    expect(await endpoint.inbox.reverify(photoEntry)).toEqual({ verified: true, reasons: [] });
    expect(sha((await endpoint.inbox.entry(photoEntry.envelopeId))!.body)).toBe(sha(photo));
    // Received again (a resend after a lost receipt): still one entry, a duplicate.
    await expect(endpoint.inbox.begin(photoEntry.envelopeId, 1, new Uint8Array(32))).resolves.toEqual({
      complete: true,
    });

    // A piece lost from the store is named, not returned as a short or wrong photo.
    const pieces = await store.linkScan(`rs/${photoEntry.envelopeId}/`);
    expect(pieces).toHaveLength(Math.ceil(photoEntry.signed.byteLength / PIECE_BYTES));
    await store.linkTransaction((tx) => tx.delete(pieces[3]!.key));
    await expect(endpoint.inbox.entry(photoEntry.envelopeId)).rejects.toBeInstanceOf(InboxRecordError);
    await expect(endpoint.inbox.entries()).rejects.toThrow(/piece 3 of \d+ is missing/);
  }, 120_000);
});
