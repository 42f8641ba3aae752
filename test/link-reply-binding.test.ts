import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { toHex } from '../crypto/bytes.ts';
import { encodeWire } from '../crypto/wire-cbor.ts';
import { HubSocketCarrier } from '../runtime/link/carriers/hub-socket/hub-socket-carrier.ts';
import { storeIdentity } from '../runtime/link/endpoint-identity.ts';
import { LinkEndpoint } from '../runtime/link/endpoint.ts';
import { HubLink } from '../runtime/link/hub-link.ts';
import type { InboxEntry } from '../runtime/link/inbox-records.ts';
import type { ConclusionBody, ConsultationBody } from '../runtime/link/items.ts';
import { startSimSpecialist } from '../sim/specialist/sim-specialist.ts';
import type { LinkWorld } from './helpers/link-world.ts';
import { linkWorld, startTestHub, testDirectory, testOrg, testStore, watch } from './helpers/link-world.ts';
import { until } from './helpers/until.ts';

const cleanups: (() => Promise<void> | void)[] = [];
let world: LinkWorld | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
});

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
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
const consultationBody = (question: string): ConsultationBody => ({
  urgency: 'urgent',
  question,
  records,
  attachments: [],
});
const recordRefs = records.map((r) => ({ id: r.id, sha256: sha(r.cbor) }));

describe("replies name their consultation in the envelope's re, and the kit checks it", () => {
  it('the simulated specialist (what `npm start` runs) sets re on its message and conclusion; the kit shows both verified', async () => {
    const org = await testOrg();
    const kitS = await testStore('kit');
    const specS = await testStore('spec');
    cleanups.push(kitS.cleanup, specS.cleanup);
    const [kitKeys, specKeys] = [kitS.store.publicIdentity, specS.store.publicIdentity];
    const directory = await testDirectory(org, [
      {
        id: 'kit-01',
        role: 'kit',
        name: 'Бригада 1',
        devices: [{ key: kitKeys.signing, box: kitKeys.sealing }],
      },
      {
        id: 'spec-ivanova',
        role: 'specialist',
        name: 'Иванова А. П., кардиолог',
        devices: [{ key: specKeys.signing, box: specKeys.sealing }],
      },
    ]);
    const hub = await startTestHub({ directory: () => directory });
    cleanups.push(() => hub.stop());
    await hub.hub.enrolments.enroll({ device: toHex(kitKeys.signing), identity: 'kit-01', role: 'kit' });
    await hub.hub.enrolments.enroll({
      device: toHex(specKeys.signing),
      identity: 'spec-ivanova',
      role: 'specialist',
    });
    const liveness = { intervalMs: 300, timeoutMs: 2000 };
    const sim = await startSimSpecialist({
      store: specS.store,
      orgKey: org.publicKey,
      directory,
      hub: { url: hub.hub.url, certPem: hub.tls.cert },
      direct: false,
      readAfterMs: 50,
      answerAfterMs: 200,
      liveness,
    });
    cleanups.push(() => sim.stop());
    const watched = watch();
    const kit = new LinkEndpoint({
      store: kitS.store,
      identity: storeIdentity(kitS.store),
      orgKey: org.publicKey,
      onEvent: watched.onEvent,
      liveness,
    });
    await kit.start(directory);
    const link = new HubLink(
      kit,
      new HubSocketCarrier({
        url: hub.hub.url,
        certPem: hub.tls.cert,
        signer: storeIdentity(kitS.store).signer,
      }),
      { maxBackoffMs: 300 },
    );
    link.start();
    cleanups.push(async () => {
      await link.stop();
      await kit.stop();
    });

    const sent = await kit.send({
      kind: 'consultation',
      to: 'spec-ivanova',
      urgent: true,
      body: encodeWire(consultationBody('Боль за грудиной. Тактика?')),
      media: 'application/cbor',
      records: recordRefs,
    });
    await watched.untilState(sent.itemId, 'answered', 30_000);
    // ('answered' is the specialist's receipt, sent once its conclusion is at the hub: the
    // conclusion itself may still be on its way.)
    await until(() => watched.received('message').length > 0 && watched.received('conclusion').length > 0, {
      timeoutMs: 30_000,
      what: 'the message and the conclusion at the kit',
    });
    const envelopeId = kit.outbox.byItemId(sent.itemId)!.envelopeId;
    expect(envelopeId).toMatch(/^[0-9a-f]{64}$/);
    for (const kind of ['message', 'conclusion']) {
      const [reply] = watched.received(kind);
      expect(reply?.ref).toBe(sent.itemId);
      expect(reply?.header.re).toBe(envelopeId);
      expect(reply?.verdict).toEqual({ verified: true, reasons: [] });
    }
  }, 60_000);

  it('a forged re (another consultation, a photo, nothing sent) is stored and shown unverified with the reason, never dropped', async () => {
    world = await linkWorld();
    const { kit, spec } = world;
    const send = (question: string) =>
      kit.endpoint.send({
        kind: 'consultation',
        to: 'spec-ivanova',
        body: encodeWire(consultationBody(question)),
        media: 'application/cbor',
        records: recordRefs,
      });
    const first = await send('Первый запрос');
    const second = await send('Второй запрос');
    const photo = await kit.endpoint.send({
      kind: 'photo',
      to: 'spec-ivanova',
      body: new Uint8Array(randomBytes(2000)),
      media: 'image/jpeg',
    });
    for (const s of [first, second, photo]) await kit.watched.untilState(s.itemId, 'delivered');
    const env = (itemId: string) => kit.endpoint.outbox.byItemId(itemId)!.envelopeId!;
    const conclusion: ConclusionBody = { text: 'Госпитализация.', refersTo: recordRefs };

    const reply = async (re: string | undefined, text: string): Promise<InboxEntry> => {
      const before = kit.watched.received('conclusion').length;
      await spec.endpoint.send({
        kind: 'conclusion',
        to: 'kit-01',
        ref: first.itemId,
        ...(re ? { re } : {}),
        body: encodeWire({ ...conclusion, text }),
        media: 'application/cbor',
      });
      await until(() => kit.watched.received('conclusion').length > before, {
        timeoutMs: 30_000,
        what: `the conclusion «${text}» at the kit`,
      });
      return kit.watched.received('conclusion')[before]!;
    };

    // The honest reply (its re filled in by the specialist's endpoint from the envelope it got).
    const honest = await reply(undefined, 'Честный ответ');
    expect(honest.verdict).toEqual({ verified: true, reasons: [] });
    // Signed ref: the first consultation; re: the second one.
    const mismatch = await reply(env(second.itemId), 'Подделка: чужой re');
    expect(mismatch.verdict.verified).toBe(false);
    expect(mismatch.verdict.reasons.join()).toMatch(/^reply_mismatch: /);
    // re: a photo the kit sent, not a consultation.
    const notConsultation = await reply(env(photo.itemId), 'Подделка: re на фото');
    expect(notConsultation.verdict.reasons.join()).toMatch(/^unknown_consultation: /);
    // re: an envelope this kit never sent.
    const unknown = await reply(toHex(randomBytes(32)), 'Подделка: неизвестный re');
    expect(unknown.verdict.reasons.join()).toMatch(/^unknown_consultation: /);
    // Every one of them is kept in the kit's inbox, the forged ones unverified.
    const stored = await kit.endpoint.inbox.entries();
    expect(stored.filter((e) => e.kind === 'conclusion').map((e) => e.verdict.verified)).toEqual([
      true,
      false,
      false,
      false,
    ]);
    // And a forged reply does not mark the consultation answered: only the honest one did.
    expect(kit.endpoint.outbox.byItemId(second.itemId)!.state).not.toBe('answered');
  }, 90_000);
});
