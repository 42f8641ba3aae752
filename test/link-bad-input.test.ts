import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex } from '../crypto/bytes.ts';
import { sealEnvelope } from '../crypto/envelope.ts';
import { signReceipt } from '../crypto/receipt.ts';
import { encodeWire } from '../crypto/wire-cbor.ts';
import type { CarrierConnection } from '../runtime/link/carrier.ts';
import { HubSocketCarrier } from '../runtime/link/carriers/hub-socket/hub-socket-carrier.ts';
import { createMemoryPair } from '../runtime/link/carriers/memory.ts';
import { storeIdentity } from '../runtime/link/endpoint-identity.ts';
import type { Frame } from '../runtime/link/frames.ts';
import { BLOCK_BYTES, MAX_CHUNK_BYTES, decodeFrame, encodeFrame } from '../runtime/link/frames.ts';
import { buildManifest, sha256Hex } from '../runtime/link/manifest.ts';
import type { RejectCode } from '../runtime/link/reject.ts';
import type { LinkWorld } from './helpers/link-world.ts';
import { linkWorld, testDevice } from './helpers/link-world.ts';

/** A raw connection to a peer: send any bytes, read its answers. */
function raw(conn: CarrierConnection) {
  const frames: Frame[] = [];
  conn.onFrame((bytes) => {
    const d = decodeFrame(bytes);
    if (d.ok) frames.push(d.frame);
  });
  return {
    send: (f: Frame | Uint8Array) => conn.send(f instanceof Uint8Array ? f : encodeFrame(f)),
    async answer(match: (f: Frame) => boolean, ms = 10_000): Promise<Frame> {
      const end = Date.now() + ms;
      for (;;) {
        const i = frames.findIndex(match);
        if (i >= 0) return frames.splice(i, 1)[0]!;
        if (Date.now() > end) throw new Error('no matching answer');
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async nack(code: RejectCode): Promise<Frame> {
      return this.answer((f) => f.t === 'nack' && f.code === code);
    },
  };
}

const idOf = (bytes: Uint8Array) => fromHex(sha256Hex(bytes))!;

let world: LinkWorld;
beforeAll(async () => {
  world = await linkWorld();
}, 60_000);
afterAll(async () => world.stop());

describe('bad input from the wire', () => {
  it('the hub refuses each kind with a typed reason, counts it, and its mailbox and store stay whole', async () => {
    const { kit, spec, hub } = world;
    await kit.link.stop();
    const conn = await world.carrierFor(kit.store).connect();
    const peer = raw(conn);
    const counters = hub.hub.counters;
    const kitId = storeIdentity(kit.store);
    const specKeys = spec.store.publicIdentity;

    // Malformed CBOR, and CBOR that is not a frame.
    peer.send(Uint8Array.of(0xff, 0xfe, 0x00));
    await peer.nack('malformed_cbor');
    peer.send(encodeWire([42, 'x']));
    await peer.nack('bad_frame');

    // A receipt whose signature does not verify.
    const receipt = await signReceipt(
      { env: new Uint8Array(32), state: 'read', at: Date.now(), from: 'kit-01', to: 'spec-ivanova', pri: 2 },
      kitId.signer,
    );
    const forged = Uint8Array.from(receipt.bytes);
    forged[forged.length - 1]! ^= 0x55;
    peer.send({ t: 'item', id: idOf(forged), bytes: forged });
    await peer.nack('bad_signature');

    // An item whose bytes do not hash to its id.
    peer.send({ t: 'item', id: new Uint8Array(32).fill(1), bytes: receipt.bytes });
    await peer.nack('id_mismatch');

    // An envelope for an identity nobody enrolled.
    const stranger = await testDevice();
    const lost = await sealEnvelope({
      item: {
        id: randomBytes(16),
        kind: 'message',
        from: 'kit-01',
        to: 'nobody',
        at: Date.now(),
        pri: 1,
        body: encodeWire({ text: 'x' }),
      },
      signer: kitId.signer,
      recipients: [stranger.opener.sealingKey],
    });
    peer.send({ t: 'item', id: idOf(lost.bytes), bytes: lost.bytes });
    await peer.nack('unknown_peer');

    // A chunk without an offer; an oversized chunk; a chunk whose data does not match its hash.
    const object = new Uint8Array(randomBytes(3 * BLOCK_BYTES + 100));
    const oid = idOf(object);
    peer.send({ t: 'chunk', id: oid, first: 0, data: object.subarray(0, BLOCK_BYTES) });
    await peer.nack('unknown_item');
    peer.send({
      t: 'offer',
      id: oid,
      size: object.byteLength,
      blockSize: BLOCK_BYTES,
      hashes: buildManifest(object),
    });
    await peer.answer((f) => f.t === 'have');
    peer.send({ t: 'chunk', id: oid, first: 2, data: new Uint8Array(3 * BLOCK_BYTES) });
    await peer.nack('oversized_chunk');
    peer.send(encodeFrame({ t: 'chunk', id: oid, first: 0, data: new Uint8Array(MAX_CHUNK_BYTES + 1) }));
    await peer.nack('oversized_chunk');
    const altered = Uint8Array.from(object.subarray(0, BLOCK_BYTES));
    altered[17]! ^= 1;
    peer.send({ t: 'chunk', id: oid, first: 0, data: altered });
    await peer.nack('hash_mismatch');
    const partial = await hub.hub.mailbox.state(sha256Hex(object));
    expect(partial.state === 'partial' && partial.have.count).toBe(0);

    // A replay: an envelope delivered to the specialist, sent again.
    const msg = await sealEnvelope({
      item: {
        id: randomBytes(16),
        kind: 'message',
        from: 'kit-01',
        to: 'spec-ivanova',
        at: Date.now(),
        pri: 1,
        body: encodeWire({ text: 'Повтор' }),
      },
      signer: kitId.signer,
      recipients: [specKeys.sealing],
    });
    peer.send({ t: 'item', id: idOf(msg.bytes), bytes: msg.bytes });
    expect(await peer.answer((f) => f.t === 'stored')).toMatchObject({ outcome: 'stored' });
    await expect
      .poll(async () => (await hub.hub.mailbox.state(msg.id)).state, { timeout: 10_000 })
      .toBe('gone');
    peer.send({ t: 'item', id: idOf(msg.bytes), bytes: msg.bytes });
    await peer.nack('replay');

    for (const code of [
      'malformed_cbor',
      'bad_frame',
      'bad_signature',
      'id_mismatch',
      'unknown_peer',
      'unknown_item',
      'oversized_chunk',
      'hash_mismatch',
      'replay',
    ] as const)
      expect(counters.get(code), code).toBeGreaterThanOrEqual(1);
    expect(spec.watched.received('message').filter((e) => e.envelopeId === msg.id)).toHaveLength(1);
    // Nothing refused was kept. The one item the hub may hold is the specialist's signed
    // 'delivered' receipt for the message, addressed to kit-01, whose side here is this raw test
    // peer that never drains it (it arrives a moment after the message, so held is 0 or 1).
    const stats = await hub.hub.mailbox.stats();
    expect(stats.held).toBeLessThanOrEqual(1);
    expect(stats.queued).toBe(stats.held);
    expect(stats.partial).toBe(1); // the object whose chunks were all refused
    expect((await hub.store.check()).damaged).toEqual([]);
    conn.close();

    // A device the hub never enrolled cannot even connect.
    const outsider = new HubSocketCarrier({
      url: `https://127.0.0.1:${hub.hub.port}`,
      certPem: hub.tls.cert,
      signer: stranger.signer,
    });
    await expect(outsider.connect()).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('the specialist keeps a wrongly signed item unverified and refuses a re-wrapped replay; the kit link still works', async () => {
    const { kit, spec } = world;
    const kitId = storeIdentity(kit.store);
    const specKeys = spec.store.publicIdentity;
    const conn = await world.carrierFor(kit.store).connect();
    const peer = raw(conn);
    // Wrong signature inside a well-formed envelope: the hub cannot see it, the specialist can.
    const liar = {
      publicKey: kitId.signer.publicKey,
      sign: () => Promise.resolve(new Uint8Array(randomBytes(64))),
    };
    const bad = await sealEnvelope({
      item: {
        id: randomBytes(16),
        kind: 'message',
        from: 'kit-01',
        to: 'spec-ivanova',
        at: Date.now(),
        pri: 1,
        body: encodeWire({ text: 'подделка' }),
      },
      signer: liar,
      recipients: [specKeys.sealing],
    });
    peer.send({ t: 'item', id: idOf(bad.bytes), bytes: bad.bytes });
    await peer.answer((f) => f.t === 'stored');
    await expect.poll(() => spec.endpoint.counters.get('bad_signature'), { timeout: 10_000 }).toBe(1);
    const kept = spec.watched.received('message').find((e) => e.envelopeId === bad.id);
    expect(kept?.verdict.verified).toBe(false);
    expect(kept?.verdict.reasons[0]).toMatch(/^bad_signature/);

    // The same signed item in a second envelope: a replay at the specialist.
    const itemId = randomBytes(16);
    const item = {
      id: itemId,
      kind: 'message',
      from: 'kit-01',
      to: 'spec-ivanova',
      at: Date.now(),
      pri: 1 as const,
      body: encodeWire({ text: 'один раз' }),
    };
    const first = await sealEnvelope({ item, signer: kitId.signer, recipients: [specKeys.sealing] });
    const again = await sealEnvelope({ item, signer: kitId.signer, recipients: [specKeys.sealing] });
    for (const env of [first, again]) {
      peer.send({ t: 'item', id: idOf(env.bytes), bytes: env.bytes });
      await peer.answer((f) => f.t === 'stored');
    }
    await expect.poll(() => spec.endpoint.counters.get('replay'), { timeout: 10_000 }).toBe(1);
    expect(spec.watched.received('message').filter((e) => e.itemId === itemId.toString('hex'))).toHaveLength(
      1,
    );
    conn.close();

    // And honest traffic still flows.
    kit.link.start();
    const ok = await kit.endpoint.send({
      kind: 'message',
      to: 'spec-ivanova',
      body: encodeWire({ text: 'Связь есть' }),
    });
    await kit.watched.untilState(ok.itemId, 'delivered');
    expect((await spec.store.check()).damaged).toEqual([]);
  });

  it("the kit's own receiver refuses bad frames from a hostile peer without touching its outbox", async () => {
    const { kit } = world;
    await kit.link.stop();
    const before = await kit.store.outboxSize();
    const pair = createMemoryPair({
      a: { signingKey: new Uint8Array(32) },
      b: { signingKey: new Uint8Array(32).fill(2) },
    });
    kit.endpoint.attach(pair.a, 'direct', 'nobody');
    const peer = raw(pair.b);
    const c0 = kit.endpoint.counters.snapshot();
    peer.send(Uint8Array.of(0x9f));
    await peer.nack('malformed_cbor');
    const stranger = await testDevice();
    const notOurs = await sealEnvelope({
      item: {
        id: randomBytes(16),
        kind: 'message',
        from: 'spec-ivanova',
        to: 'kit-01',
        at: Date.now(),
        pri: 1,
        body: encodeWire({ text: 'x' }),
      },
      signer: stranger.signer,
      recipients: [stranger.opener.sealingKey],
    });
    peer.send({ t: 'item', id: idOf(notOurs.bytes), bytes: notOurs.bytes });
    await peer.nack('not_addressed');
    const object = new Uint8Array(randomBytes(2 * BLOCK_BYTES));
    peer.send({
      t: 'offer',
      id: idOf(object),
      size: object.byteLength,
      blockSize: BLOCK_BYTES,
      hashes: buildManifest(object),
    });
    await peer.answer((f) => f.t === 'have');
    peer.send({ t: 'chunk', id: idOf(object), first: 0, data: new Uint8Array(2 * BLOCK_BYTES) });
    await peer.nack('hash_mismatch');
    peer.send({ t: 'chunk', id: idOf(object), first: 0, data: object });
    await peer.answer((f) => f.t === 'ack');
    // Whole and hashing right, but not an envelope or receipt at all.
    await peer.nack('malformed_object');
    pair.a.close();
    expect(kit.endpoint.counters.get('malformed_cbor')).toBe((c0.malformed_cbor ?? 0) + 1);
    expect(await kit.store.outboxSize()).toBe(before);
    expect((await kit.store.check()).damaged).toEqual([]);
    expect((await kit.store.linkScan('iu/')).length + (await kit.store.linkScan('ib/')).length).toBe(0);
  });
});
