import { encodeWire } from '../../crypto/wire-cbor.ts';
import type { Directory } from '../../crypto/directory.ts';
import type { RecordRef, SentRecord } from '../../runtime/link/items.ts';
import { storeIdentity } from '../../runtime/link/endpoint-identity.ts';
import { LinkEndpoint } from '../../runtime/link/endpoint.ts';
import { sealConclusion } from '../../pwa/console/app/case/answer.ts';
import { testDevice, testDirectory, testOrg, testStore } from '../../test/helpers/link-world.ts';
import { sha256Hex } from '../../runtime/link/manifest.ts';

/** What {@link conclusionVerify} measured, ms. */
export interface VerifyFigures {
  /** `LinkInbox.reverify` of a stored conclusion: signature, signer, 200 record hashes. */
  readonly verify: number[];
  /** The whole acceptance of a new conclusion envelope: decrypt, verify, durable commit. */
  readonly accept: number[];
}

/** A vitals-sized record as the kit sends it (CBOR bytes, hashed by the conclusion). */
function record(i: number): SentRecord {
  const cbor = encodeWire({
    id: `obs-${i}`,
    loinc: '8867-4',
    display: 'Heart rate',
    value: 60 + (i % 40),
    unit: '/min',
    effectiveAt: new Date(1_780_000_000_000 + i * 1000).toISOString(),
  });
  return { id: `obs-${i}`, kind: 'observation', cbor };
}

/**
 * The kit's check of a specialist's conclusion that refers to `records` records, against a real
 * store: the kit sends a consultation carrying them (its outbox keeps their SHA-256), the console's
 * own code (pwa/console/app/case/answer.ts) signs and seals conclusions binding every record, and
 * the kit's inbox takes each (decrypt, verify, commit: `accept`), then checks it again from the
 * store (`verify`: what the tablet's «проверено» rests on).
 */
export async function conclusionVerify(records: number, rounds: number): Promise<VerifyFigures> {
  const org = await testOrg();
  const kitS = await testStore('kit');
  try {
    const kitId = kitS.store.publicIdentity;
    const spec = await testDevice();
    const signed = await testDirectory(org, [
      { id: 'kit-01', role: 'kit', name: 'Бригада 1', devices: [{ key: kitId.signing, box: kitId.sealing }] },
      {
        id: 'spec-ivanova',
        role: 'specialist',
        name: 'Иванова А. П., кардиолог',
        devices: [{ key: spec.signer.publicKey, box: spec.opener.sealingKey }],
      },
    ]);
    const kit = new LinkEndpoint({
      store: kitS.store,
      identity: storeIdentity(kitS.store),
      orgKey: org.publicKey,
    });
    await kit.start(signed);
    const sent = Array.from({ length: records }, (_, i) => record(i));
    const refs: RecordRef[] = sent.map((r) => ({ id: r.id, sha256: sha256Hex(r.cbor) }));
    const consult = await kit.send({
      kind: 'consultation',
      to: 'spec-ivanova',
      urgent: true,
      body: encodeWire({ urgency: 'urgent', question: 'Тактика?', records: sent, attachments: [] }),
      media: 'application/cbor',
      records: refs,
    });
    if (!consult.envelopeId) throw new Error('the consultation was not sealed');
    const directory = kit.pin.current as Directory;
    const ctx = { signer: spec.signer, me: 'spec-ivanova', directory };
    const accept: number[] = [];
    const verify: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const sealed = await sealConclusion(
        ctx,
        { from: 'kit-01', itemId: consult.itemId, envelopeId: consult.envelopeId },
        {
          text: `Заключение ${i}: синусовый ритм, острой патологии не выявлено.`,
          refersTo: refs,
        },
      );
      const t0 = performance.now();
      const outcome = await kit.inbox.putWhole(sealed.id, sealed.bytes);
      accept.push(performance.now() - t0);
      if (outcome !== 'stored') throw new Error(`the kit did not store conclusion ${i}: ${outcome}`);
      const entry = await kit.inbox.entry(sealed.id);
      if (!entry) throw new Error('the stored conclusion is not in the inbox');
      const t1 = performance.now();
      const verdict = await kit.inbox.reverify(entry);
      verify.push(performance.now() - t1);
      if (!verdict.verified) throw new Error(`conclusion ${i} did not verify: ${verdict.reasons.join('; ')}`);
    }
    return { verify, accept };
  } finally {
    await kitS.cleanup();
  }
}
