import { verify } from 'node:crypto';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeWire } from '../../../crypto/wire-cbor.ts';
import { tempStores } from '../../../store/test-fixtures.ts';
import { until } from '../../../test/helpers/until.ts';
import { startKitLink } from '../../link/kit-link.ts';
import { createLogger } from '../../log.ts';
import { SIM_SPECIALIST_ID, startSimLink } from '../../sim-link.ts';
import { RU_CORE } from '../profiles/index.ts';
import { danglingReferences, fhirProblems, loadFhirDefinitions } from '../testing/fhir-validator.ts';
import { BRIGADE, storeFullVisit } from '../testing/full-visit.ts';
import { exportFhir } from './export-fhir.ts';
import { EXTENSIONS } from './mappers/extensions.ts';

interface Resource {
  resourceType: string;
  [k: string]: unknown;
}
interface Entry {
  fullUrl: string;
  resource: Resource;
  request: { method: string; url: string; ifNoneExist?: string };
}
interface Ext {
  url: string;
  valueBoolean?: boolean;
  valueString?: string;
  valueBase64Binary?: string;
}

const temp = tempStores();
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
});
beforeAll(() => loadFhirDefinitions(), 120_000);

/**
 * A full visit on a kit linked to the simulated specialist over a local hub (real TLS sockets,
 * real sealed and signed envelopes; only the specialist is simulated), a consultation sent over
 * the link with three of the visit's readings, answered with a message and a signed conclusion.
 */
async function answeredVisit(badConclusionRate: number) {
  const dir = temp.dir();
  const store = await temp.reopen(dir);
  const visit = await storeFullVisit(store);
  const log = createLogger('silent');
  const sim = await startSimLink({
    kitStore: store,
    dir: join(dir, 'sim-link'),
    log,
    readAfterMs: 0,
    answerAfterMs: 50,
    badConclusionRate,
  });
  cleanups.push(() => sim.stop());
  const link = await startKitLink({
    store,
    log,
    orgKey: sim.orgKey,
    hub: sim.hub,
    directory: sim.directory,
    onEvent: () => undefined,
  });
  cleanups.push(() => link.stop());
  const carried = visit.readingIds.slice(0, 3);
  const sent = await link.consult({
    to: SIM_SPECIALIST_ID,
    urgency: 'urgent',
    question: 'Одышка, ЧДД 24. Госпитализировать?',
    observationIds: carried,
  });
  await until(
    async () => {
      const inbox = await link.inbox();
      return inbox.some((i) => i.kind === 'conclusion') && inbox.some((i) => i.kind === 'message');
    },
    { timeoutMs: 60_000, intervalMs: 50, what: 'the message and the conclusion received' },
  );
  let text = '';
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  const summary = await exportFhir(store, { by: 'visit', id: visit.visitId }, out, {
    profile: RU_CORE,
    brigade: BRIGADE,
  });
  const bundle = JSON.parse(text) as { entry: Entry[] };
  return { visit, sent, carried, summary, bundle };
}

const ofType = (entries: Entry[], type: string) => entries.filter((e) => e.resource.resourceType === type);

describe('FHIR export of a visit answered over the link', () => {
  it('holds every resource kind, all valid R4: the link consultation, the message, the conclusion and its signature', async () => {
    const { bundle, summary, sent, carried } = await answeredVisit(0);
    const problems = bundle.entry.flatMap((e) =>
      fhirProblems(e.resource).map((p) => `${e.resource.resourceType} ${p}`),
    );
    expect(problems).toEqual([]);
    expect(fhirProblems({ resourceType: 'Bundle', type: 'transaction', entry: bundle.entry })).toEqual([]);
    expect(danglingReferences(bundle.entry)).toEqual([]);
    expect(Object.keys(summary.resources).sort()).toEqual(
      [
        'Communication',
        'Device',
        'DiagnosticReport',
        'DocumentReference',
        'Encounter',
        'Media',
        'Observation',
        'Organization',
        'Patient',
        'Practitioner',
        'PractitionerRole',
        'Provenance',
        'ServiceRequest',
      ].sort(),
    );
    expect(summary.answersWithoutVisit).toBe(0);

    // The consultation sent over the link: a second ServiceRequest, to the specialist, answered.
    const linkRequest = ofType(bundle.entry, 'ServiceRequest').find((e) =>
      JSON.stringify(e.resource.identifier).includes(sent.itemId),
    )!;
    expect(linkRequest.resource).toMatchObject({
      status: 'completed',
      priority: 'urgent',
      performer: [{ identifier: { value: SIM_SPECIALIST_ID } }],
    });
    expect((linkRequest.resource.supportingInfo as unknown[]).length).toBe(carried.length);

    // The message: from the specialist, based on that request, its text as payload, verified.
    const [message] = ofType(bundle.entry, 'Communication');
    expect(message!.resource).toMatchObject({
      status: 'completed',
      basedOn: [{ reference: linkRequest.fullUrl }],
      sender: { identifier: { value: SIM_SPECIALIST_ID } },
      payload: [{ contentString: expect.stringMatching(/Срочную консультацию получила/) as unknown }],
      extension: [{ url: EXTENSIONS.signatureVerified, valueBoolean: true }],
    });

    // The conclusion: a DiagnosticReport bound to the readings the consultation carried.
    const [report] = ofType(bundle.entry, 'DiagnosticReport');
    const r = report!.resource as unknown as {
      basedOn: { reference: string }[];
      result: { reference: string }[];
      conclusion: string;
      conclusionCode: { coding: { system: string; code: string }[] }[];
      extension: Ext[];
    };
    expect(r.basedOn).toEqual([{ reference: linkRequest.fullUrl }]);
    expect(r.conclusion).toMatch(/Симулированный специалист/);
    // The simulated specialist codes an urgent case R07.4 (chest pain, unspecified).
    expect(r.conclusionCode[0]!.coding[0]).toEqual({
      system: 'http://hl7.org/fhir/sid/icd-10',
      code: 'R07.4',
      display: 'Боль в груди неуточнённая',
    });
    const resultIds = r.result.map(
      (ref) =>
        (
          bundle.entry.find((e) => e.fullUrl === ref.reference)!.resource.identifier as { value: string }[]
        )[0]!.value,
    );
    expect(resultIds.sort()).toEqual([...carried].sort());
    expect(r.extension).toEqual([{ url: EXTENSIONS.signatureVerified, valueBoolean: true }]);

    // Its signature, on a Provenance: checked here with Node's own Ed25519, independently of the kit.
    const provenance = ofType(bundle.entry, 'Provenance').find((e) => 'signature' in e.resource)!;
    const p = provenance.resource as unknown as {
      target: { reference: string }[];
      signature: {
        type: { code: string }[];
        when: string;
        who: { identifier: { value: string } };
        sigFormat: string;
        data: string;
      }[];
      entity: { extension: Ext[] }[];
    };
    expect(p.target).toEqual([{ reference: report!.fullUrl }]);
    expect(p.signature[0]).toMatchObject({
      type: [{ code: '1.2.840.10065.1.12.1.1' }],
      who: { identifier: { value: SIM_SPECIALIST_ID } },
      sigFormat: 'application/octet-stream',
    });
    const ext = (url: string) => p.entity[0]!.extension.find((x) => x.url === url)!;
    const signed = Buffer.from(ext(EXTENSIONS.signedBytes).valueBase64Binary!, 'base64');
    const key = Buffer.from(ext(EXTENSIONS.signingKey).valueBase64Binary!, 'base64');
    const signature = Buffer.from(p.signature[0]!.data, 'base64');
    expect(signature).toHaveLength(64);
    const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), key]);
    const message2 = Buffer.concat([Buffer.from('fieldkit/item/v1\0', 'ascii'), signed]);
    const publicKey = { key: spki, format: 'der', type: 'spki' } as const;
    expect(verify(null, message2, publicKey, signature)).toBe(true);
    const flipped = Buffer.from(message2);
    flipped[flipped.length - 1]! ^= 1;
    expect(verify(null, flipped, publicKey, signature)).toBe(false);
    // The signed bytes are the conclusion item itself, dated as `when` says.
    const item = decodeWire(signed);
    expect(item.ok && (item.value as { kind: string }).kind).toBe('conclusion');
    expect(item.ok && new Date((item.value as { at: number }).at).toISOString()).toBe(p.signature[0]!.when);
  }, 120_000);

  it('a conclusion that does not verify is exported marked so, with the reason', async () => {
    const { bundle } = await answeredVisit(1);
    expect(bundle.entry.flatMap((e) => fhirProblems(e.resource))).toEqual([]);
    const [report] = ofType(bundle.entry, 'DiagnosticReport');
    const ext = report!.resource.extension as Ext[];
    expect(ext[0]).toEqual({ url: EXTENSIONS.signatureVerified, valueBoolean: false });
    expect(
      ext
        .slice(1)
        .map((x) => x.valueString)
        .join(' '),
    ).toMatch(/hash|sha/i);
    const provenance = ofType(bundle.entry, 'Provenance').find((e) => 'signature' in e.resource)!;
    expect(JSON.stringify(provenance.resource)).toContain('"valueBoolean":false');
  }, 120_000);
});
