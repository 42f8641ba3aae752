import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeWire } from '../crypto/wire-cbor.ts';
import type { ConsultationBody, ConclusionBody } from '../runtime/link/items.ts';
import type { LinkWorld } from './helpers/link-world.ts';
import { linkWorld } from './helpers/link-world.ts';

let world: LinkWorld | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function consultation(): { body: ConsultationBody; records: { id: string; sha256: string }[] } {
  const records = [
    {
      id: 'o-0000000000000001',
      kind: 'observation',
      cbor: encodeWire({ loinc: '8867-4', value: 72, unit: '/min' }),
    },
    {
      id: 'o-0000000000000002',
      kind: 'observation',
      cbor: encodeWire({ loinc: '59408-5', value: 91, unit: '%' }),
    },
  ];
  return {
    body: {
      urgency: 'urgent',
      question: 'Боль за грудиной 40 минут, SpO2 91 %. Что делать?',
      records,
      attachments: [],
    },
    records: records.map((r) => ({ id: r.id, sha256: sha(r.cbor) })),
  };
}

describe('the link loop over a real hub', () => {
  it('consultation -> hub -> specialist; receipts and a signed conclusion come back, verified; states advance to answered', async () => {
    world = await linkWorld();
    const { kit, spec } = world;
    const c = consultation();
    const sent = await kit.endpoint.send({
      kind: 'consultation',
      to: 'spec-ivanova',
      urgent: true,
      body: encodeWire(c.body),
      media: 'application/cbor',
      records: c.records,
    });
    expect(sent.state).toBe('stored');
    const photo = new Uint8Array(randomBytes(200_000));
    const photoRec = await kit.endpoint.send({
      kind: 'photo',
      to: 'spec-ivanova',
      body: photo,
      media: 'image/jpeg',
      ref: sent.itemId,
    });

    await kit.watched.untilState(sent.itemId, 'delivered');
    const [got] = spec.watched.received('consultation');
    expect(got?.verdict).toEqual({ verified: true, reasons: [] });
    expect(got?.from).toBe('kit-01');
    await spec.endpoint.sendReceipt(got!.envelopeId, 'kit-01', 'read');
    await kit.watched.untilState(sent.itemId, 'read');

    const conclusion: ConclusionBody = {
      text: 'ОКС исключить: ЭКГ, тропонин, госпитализация.',
      refersTo: c.records,
    };
    await spec.endpoint.send({
      kind: 'conclusion',
      to: 'kit-01',
      ref: sent.itemId,
      body: encodeWire(conclusion),
      media: 'application/cbor',
    });
    await kit.watched.untilState(sent.itemId, 'answered');
    const [answer] = kit.watched.received('conclusion');
    expect(answer?.verdict.verified).toBe(true);
    expect(await kit.endpoint.inbox.reverify(answer!)).toEqual({ verified: true, reasons: [] });

    await kit.watched.untilState(photoRec.itemId, 'delivered', 30_000);
    const [gotPhoto] = spec.watched.received('photo');
    expect(sha(gotPhoto!.body)).toBe(sha(photo));
    const states = kit.endpoint.outbox.byItemId(sent.itemId)!.history.map((h) => h.state);
    expect(states).toEqual(['stored', 'queued', 'at_hub', 'delivered', 'read', 'answered']);
    // Nothing of either is left in the kit's outbox: the hub and the specialist hold them.
    expect(await kit.store.outboxSize()).toBe(0);
  });

  it('keeps a conclusion whose record hash differs, unverified with the reason, and refuses it on the wire', async () => {
    world = await linkWorld();
    const { kit, spec } = world;
    const c = consultation();
    const sent = await kit.endpoint.send({
      kind: 'consultation',
      to: 'spec-ivanova',
      body: encodeWire(c.body),
      records: c.records,
    });
    await kit.watched.untilState(sent.itemId, 'delivered');
    const wrong = [{ ...c.records[0]!, sha256: 'f'.repeat(64) }, c.records[1]!];
    await spec.endpoint.send({
      kind: 'conclusion',
      to: 'kit-01',
      ref: sent.itemId,
      body: encodeWire({ text: 'Норма.', refersTo: wrong } satisfies ConclusionBody),
    });
    const entry = await kit.watched.until(
      (e): e is Extract<typeof e, { type: 'received' }> => e.type === 'received',
    );
    expect(entry.entry.verdict.verified).toBe(false);
    expect(entry.entry.verdict.reasons.join()).toMatch(/record_hash_mismatch: o-0000000000000001/);
    await expect.poll(() => kit.endpoint.counters.get('unverified')).toBe(1);
    // An unverified answer does not mark the consultation answered.
    expect(kit.endpoint.outbox.byItemId(sent.itemId)?.state).not.toBe('answered');
  });
});
