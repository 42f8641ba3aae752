import { afterEach, describe, expect, it } from 'vitest';
import { toHex } from '../crypto/bytes.ts';
import { openEnvelope } from '../crypto/envelope.ts';
import { encodeWire } from '../crypto/wire-cbor.ts';
import { storeIdentity } from '../runtime/link/endpoint-identity.ts';
import type { ConclusionBody } from '../runtime/link/items.ts';
import type { LinkWorld } from './helpers/link-world.ts';
import { linkWorld, testDevice, testDirectory } from './helpers/link-world.ts';

let world: LinkWorld | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

// A specialist's device is lost: the hub revokes it and the organisation signs a directory
// without it (the specialist keeps a new device). Real hub, real stores, real link on loopback.
describe('revoking a specialist device', () => {
  it('it can open no envelope sealed after the kit pins the new directory, and a conclusion it signed is kept unverified', async () => {
    world = await linkWorld();
    const { kit, spec, org, hub } = world;
    const lost = storeIdentity(spec.store);
    const lostHex = toHex(lost.signer.publicKey);
    const sent = await kit.endpoint.send({
      kind: 'consultation',
      to: 'spec-ivanova',
      urgent: true,
      body: encodeWire({ urgency: 'urgent', question: 'Боль за грудиной?', records: [], attachments: [] }),
      media: 'application/cbor',
      records: [],
    });
    await kit.watched.untilState(sent.itemId, 'delivered');

    // The kit goes out of signal; the lost device (still enrolled) signs a conclusion, which
    // waits at the hub.
    await kit.link.stop();
    const answer = await spec.endpoint.send({
      kind: 'conclusion',
      to: 'kit-01',
      ref: sent.itemId,
      body: encodeWire({ text: 'Норма.', refersTo: [] } satisfies ConclusionBody),
      media: 'application/cbor',
    });
    await spec.watched.untilState(answer.itemId, 'at_hub');

    // Revocation: at the hub, and in the organisation's directory (serial 2) with a new device.
    const replacement = await testDevice();
    expect(await hub.hub.enrolments.revoke(lostHex)).toBe(true);
    await hub.hub.enrolments.enroll({
      device: replacement.hex,
      identity: 'spec-ivanova',
      role: 'specialist',
    });
    const kitId = kit.store.publicIdentity;
    world.serveDirectory(
      await testDirectory(
        org,
        [
          {
            id: 'kit-01',
            role: 'kit',
            name: 'Бригада 1',
            devices: [{ key: kitId.signing, box: kitId.sealing }],
          },
          {
            id: 'spec-ivanova',
            role: 'specialist',
            name: 'Иванова А. П., кардиолог',
            devices: [{ key: replacement.signer.publicKey, box: replacement.opener.sealingKey }],
          },
        ],
        2,
      ),
    );
    // The hub closes the revoked device's session and refuses it from now on.
    await expect
      .poll(() => (spec.link.status.state === 'refused' ? spec.link.status.reason : ''), { timeout: 15_000 })
      .toMatch(/not enrolled, or revoked/);

    // The kit comes back: it pins serial 2, then receives the waiting conclusion, which it keeps
    // but does not accept, with the reason.
    kit.link.start();
    const got = await kit.watched.until(
      (e): e is Extract<typeof e, { type: 'received' }> =>
        e.type === 'received' && e.entry.kind === 'conclusion',
      20_000,
    );
    expect(kit.endpoint.pin.current?.serial).toBe(2);
    expect(got.entry.verdict.verified).toBe(false);
    expect(got.entry.verdict.reasons.join()).toMatch(
      /unknown_sender: spec-ivanova has no device with key .* in directory 2/,
    );
    expect(kit.endpoint.outbox.byItemId(sent.itemId)?.state).not.toBe('answered');
    expect(await kit.endpoint.inbox.reverify(got.entry)).toEqual(got.entry.verdict);

    // A new message is sealed for the replacement device only: the lost one cannot open it.
    const later = await kit.endpoint.send({
      kind: 'message',
      to: 'spec-ivanova',
      body: encodeWire({ text: 'Ещё вопрос' }),
    });
    await kit.watched.untilState(later.itemId, 'at_hub');
    const [entry] = await hub.hub.mailbox.pending(replacement.hex, 10);
    expect(await hub.hub.mailbox.pending(lostHex, 10)).toEqual([]);
    const bytes = await hub.hub.mailbox.readAll(entry!.id);
    await expect(openEnvelope(bytes, lost.openers)).rejects.toMatchObject({ name: 'LinkCryptoError' });
    const opened = await openEnvelope(bytes, [replacement.opener]);
    expect(toHex(opened.item.fields.id)).toBe(later.itemId);
  });
});
