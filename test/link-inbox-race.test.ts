import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { sealEnvelope } from '../crypto/envelope.ts';
import { encodeWire } from '../crypto/wire-cbor.ts';
import { storeIdentity } from '../runtime/link/endpoint-identity.ts';
import type { LinkWorld } from './helpers/link-world.ts';
import { linkWorld } from './helpers/link-world.ts';

let world: LinkWorld | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

// With the direct path wired in, one envelope can reach a console by two carriers at the same
// moment: the hub's session had started it whole when the direct session came up and sent it too.
describe('the inbox receives an envelope arriving twice at once exactly once', () => {
  it('concurrent deliveries of one envelope: one stored, the others duplicates, one event, one receipt', async () => {
    world = await linkWorld({ startKit: false });
    const { kit, spec } = world;
    const env = await sealEnvelope({
      item: {
        id: randomBytes(16),
        kind: 'message',
        from: 'kit-01',
        to: 'spec-ivanova',
        at: Date.now(),
        pri: 1 as const,
        body: encodeWire({ text: 'по двум путям' }),
      },
      signer: storeIdentity(kit.store).signer,
      recipients: [spec.store.publicIdentity.sealing],
    });
    const receiptsBefore = spec.endpoint.outbox.records(true).filter((r) => r.kind === 'receipt').length;
    const outcomes = await Promise.all([0, 1, 2].map(() => spec.endpoint.inbox.putWhole(env.id, env.bytes)));
    expect(outcomes.sort()).toEqual(['duplicate', 'duplicate', 'stored']);
    expect(spec.watched.received('message').filter((e) => e.envelopeId === env.id)).toHaveLength(1);
    const receipts = spec.endpoint.outbox.records(true).filter((r) => r.kind === 'receipt');
    expect(receipts.length - receiptsBefore).toBe(1);
  });
});
