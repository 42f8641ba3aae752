import { afterEach, describe, expect, it } from 'vitest';
import { signDirectory, verifyDirectory } from '../crypto/directory.ts';
import { encodeWire } from '../crypto/wire-cbor.ts';
import type { LinkWorld } from './helpers/link-world.ts';
import { linkWorld, testDevice } from './helpers/link-world.ts';

let world: LinkWorld | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

describe('trust does not rest on the hub', () => {
  it('a hub serving a directory with a substituted key is refused with a clear error, and nothing is sent to it', async () => {
    world = await linkWorld({ startKit: false });
    const { kit, org, directory } = world;
    const pinned = await verifyDirectory(directory, org.publicKey);
    // The hub swaps the specialist's sealing key for its own and re-serves the directory.
    const attacker = await testDevice();
    const doctor = pinned.identity('spec-ivanova')!;
    const tampered = Uint8Array.from(directory);
    tampered.set(
      attacker.opener.sealingKey,
      Buffer.from(tampered).indexOf(Buffer.from(doctor.devices[0]!.box)),
    );
    world.serveDirectory(tampered);
    const statuses: string[] = [];
    const msg = await kit.endpoint.send({
      kind: 'message',
      to: 'spec-ivanova',
      body: encodeWire({ text: 'Секрет' }),
    });
    kit.link.start();
    await expect.poll(() => kit.link.status.state, { timeout: 10_000 }).toBe('refused');
    const status = kit.link.status;
    statuses.push(status.state === 'refused' ? status.reason : '');
    expect(statuses[0]).toMatch(
      /Refused the directory served by the hub: .*not signed by the pinned organisation key [0-9a-f-]+: a device key may have been substituted; refused\. Keeping the pinned directory \(serial 1\)/,
    );
    expect(kit.endpoint.pin.refused).toBeGreaterThanOrEqual(1);
    expect(kit.endpoint.pin.current?.serial).toBe(1);
    expect(await world.hub.hub.mailbox.stats()).toMatchObject({ held: 0, partial: 0 });
    expect(kit.endpoint.outbox.byItemId(msg.itemId)?.state).toBe('queued');

    // An older directory (a rollback) is refused too.
    const older = await signDirectory(
      { serial: 0, issuedAt: Date.now(), identities: pinned.fields.identities },
      org,
    );
    world.serveDirectory(older);
    kit.link.retryNow();
    await expect
      .poll(() => (kit.link.status.state === 'refused' ? kit.link.status.reason : ''), { timeout: 10_000 })
      .toMatch(/older than the pinned serial 1/);

    // The organisation issues a newer directory: the kit pins it and the message goes out.
    const newer = await signDirectory(
      { serial: 2, issuedAt: Date.now(), identities: pinned.fields.identities },
      org,
    );
    world.serveDirectory(newer);
    kit.link.retryNow();
    await kit.watched.untilState(msg.itemId, 'delivered');
    expect(kit.endpoint.pin.current?.serial).toBe(2);
  });
});
