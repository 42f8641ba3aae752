import { createWriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempStores } from '../../../store/test-fixtures.ts';
import { danglingReferences, fhirProblems, loadFhirDefinitions } from '../testing/fhir-validator.ts';
import { BRIGADE, storeFullVisit } from '../testing/full-visit.ts';
import { RU_CORE } from '../profiles/index.ts';
import { exportFhir } from './export-fhir.ts';

interface Entry {
  fullUrl: string;
  resource: { resourceType: string; [k: string]: unknown };
  request: { method: string; url: string; ifNoneExist?: string };
}

const temp = tempStores();
const stores = () => temp.open();
const dirs = () => temp.dir();

beforeAll(() => loadFhirDefinitions(), 120_000);

async function exportToFile(store: Awaited<ReturnType<typeof stores>>, visitId: string, profile = RU_CORE) {
  const dir = dirs();
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'visit.json');
  const out = createWriteStream(file);
  const summary = await exportFhir(store, { by: 'visit', id: visitId }, out, { profile, brigade: BRIGADE });
  out.end();
  await finished(out);
  const text = await readFile(file, 'utf8');
  return { summary, text, bundle: JSON.parse(text) as { entry: Entry[]; [k: string]: unknown } };
}

describe('FHIR export of a full visit', () => {
  it('writes a transaction bundle whose every resource validates against FHIR R4', async () => {
    const store = await stores();
    const visit = await storeFullVisit(store);
    const { bundle, summary } = await exportToFile(store, visit.visitId);
    expect(bundle.type).toBe('transaction');
    const problems = bundle.entry.flatMap((e) =>
      fhirProblems(e.resource).map((p) => `${e.resource.resourceType} ${p}`),
    );
    expect(problems).toEqual([]);
    expect(fhirProblems(bundle)).toEqual([]);
    expect(danglingReferences(bundle.entry)).toEqual([]);
    for (const e of bundle.entry)
      expect(e.fullUrl).toMatch(
        /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
    expect(summary.resources).toMatchObject({
      Patient: 1,
      Encounter: 1,
      Practitioner: 2,
      PractitionerRole: 2,
      Organization: 1,
      Device: 7,
      // 14 instrument readings, 3 typed on the tablet, the ECG strip, NEWS2.
      Observation: 22,
      // One per instrument frame, one per typed entry, one for the strip.
      Provenance: 14,
      Media: 2,
      DocumentReference: 1,
      ServiceRequest: 1,
    });
    expect(summary.skippedAttachments).toBe(0);
    expect(summary.damaged).toEqual([]);
  });

  it('writes the ECG strip as SampledData in µV with its lead, period and provenance', async () => {
    const store = await stores();
    const visit = await storeFullVisit(store);
    const { bundle } = await exportToFile(store, visit.visitId);
    const ecg = bundle.entry.find(
      (e) => e.resource.resourceType === 'Observation' && 'valueSampledData' in e.resource,
    );
    const obs = ecg?.resource as unknown as {
      code: { coding: { system: string; code: string }[] };
      effectivePeriod: { start: string; end: string };
      valueSampledData: {
        origin: { code: string; value: number };
        period: number;
        factor: number;
        data: string;
      };
    };
    expect(obs.code.coding[0]).toMatchObject({ system: 'urn:iso:std:iso:11073:10101', code: '131328' });
    expect(obs.valueSampledData.origin).toMatchObject({ value: 0, code: 'uV' });
    expect(obs.valueSampledData.period).toBeCloseTo(1000 / 130, 12);
    const tokens = obs.valueSampledData.data.split(' ');
    const lost = visit.ecg.gaps.reduce((n, g) => n + g.missing, 0);
    expect(lost).toBe(73);
    expect(tokens.filter((t) => t === 'E')).toHaveLength(lost);
    // The E run sits where the notification was lost, and the rest decodes to the stored samples.
    expect(tokens.indexOf('E')).toBe(visit.ecg.gaps[0]!.atSample);
    expect(tokens.filter((t) => t !== 'E').map(Number)).toEqual([...visit.ecg.samples]);
    const ms = Date.parse(obs.effectivePeriod.end) - Date.parse(obs.effectivePeriod.start);
    expect(ms).toBe(10_000);
    const provenance = bundle.entry.find(
      (e) => e.resource.resourceType === 'Provenance' && JSON.stringify(e.resource).includes(ecg!.fullUrl),
    )?.resource as unknown as {
      entity: { extension: { url: string; valueString?: string; valueQuantity?: { value: number } }[] }[];
    };
    const ext: Record<string, string | number | undefined> = Object.fromEntries(
      provenance.entity[0]!.extension.map((x) => [
        x.url.slice(x.url.lastIndexOf(':') + 1),
        x.valueString ?? x.valueQuantity?.value,
      ]),
    );
    expect(ext).toMatchObject({
      codec: 'pmd_ecg_data',
      'codec-version': visit.ecg.codecVersion,
      'clock-offset': 2500,
    });
  });

  it('writes NEWS2 as its own Observation: the total, one component per parameter, from the readings it used', async () => {
    const store = await stores();
    const visit = await storeFullVisit(store);
    const { bundle } = await exportToFile(store, visit.visitId);
    const news2 = bundle.entry.filter((e) =>
      JSON.stringify((e.resource as { code?: unknown }).code ?? '').includes('1104051000000101'),
    );
    expect(news2).toHaveLength(1);
    const obs = news2[0]!.resource as unknown as {
      status: string;
      category: { coding: { code: string }[] }[];
      valueQuantity: { value: number; code: string; comparator?: string };
      derivedFrom: { reference: string }[];
      component: { code: { coding: { code: string }[] }; valueQuantity?: { value: number } }[];
    };
    // RR 24 (typed) 2, SpO2 scale 1 from the newest usable reading (the CMS50's) 0, air 0, systolic 152 0,
    // pulse 0, alert 0, 38.60 °C 1: total 3, complete, low risk.
    expect(obs.status).toBe('final');
    expect(obs.category[0]!.coding[0]!.code).toBe('survey');
    expect(obs.valueQuantity).toMatchObject({ value: 3, code: '{score}' });
    expect(obs.valueQuantity.comparator).toBeUndefined();
    expect(obs.component.map((c) => [c.code.coding[1]!.code, c.valueQuantity?.value])).toEqual([
      ['respirationRate', 2],
      ['spo2-scale1', 0],
      ['oxygen', 0],
      ['systolic', 0],
      ['pulse', 0],
      ['consciousness', 0],
      ['temperature', 1],
    ]);
    const byUrl = new Map(bundle.entry.map((e) => [e.fullUrl, e.resource]));
    const sources = obs.derivedFrom.map(
      (r) => byUrl.get(r.reference) as unknown as { code: { coding: { code: string }[] } },
    );
    expect(sources.map((s) => s.code.coding[0]!.code).sort()).toEqual(
      ['9279-1', '2708-6', '3151-8', '85354-9', '8867-4', '67775-7', '8310-5'].sort(),
    );
  });

  it('writes the consultation request as a ServiceRequest with urgency, specialty, question and what was sent', async () => {
    const store = await stores();
    const visit = await storeFullVisit(store);
    const { bundle } = await exportToFile(store, visit.visitId);
    const sr = bundle.entry.find((e) => e.resource.resourceType === 'ServiceRequest')!;
    const r = sr.resource as unknown as {
      priority: string;
      intent: string;
      performerType: { coding: { code: string }[] };
      note: { text: string }[];
      supportingInfo: { reference: string }[];
      encounter: { reference: string };
    };
    expect(r).toMatchObject({
      priority: 'urgent',
      intent: 'order',
      performerType: { coding: [{ code: 'cardiology' }] },
    });
    expect(r.note[0]!.text).toMatch(/Госпитализировать\?/);
    expect(r.note[1]!.text).toMatch(/NEWS2.*6/);
    const types = r.supportingInfo.map(
      (ref) => bundle.entry.find((e) => e.fullUrl === ref.reference)!.resource.resourceType,
    );
    expect(types).toEqual(['Observation', 'Observation', 'Observation', 'Observation', 'Media']);
    expect(sr.request.ifNoneExist).toContain(encodeURIComponent(visit.consultationId));
  });

  it('writes the same bundle when the store lets its mapped pages go between visits', async () => {
    const store = await stores();
    for (let i = 0; i < 3; i++) await storeFullVisit(store);
    let collected = 0;
    const exportText = async (releaseMapEvery?: number) => {
      let text = '';
      const out = new Writable({
        write(chunk: Buffer, _enc, done) {
          text += chunk.toString('utf8');
          done();
        },
      });
      const summary = await exportFhir(store, { by: 'since', from: new Date(0) }, out, {
        profile: RU_CORE,
        brigade: BRIGADE,
        now: () => new Date('2026-06-01T12:00:00Z'),
        ...(releaseMapEvery === undefined ? {} : { releaseMapEvery }),
        collectGarbage: () => collected++,
      });
      return { text, summary };
    };
    const released = { count: 0 };
    const release = store.releaseMappedPages.bind(store);
    store.releaseMappedPages = async () => {
      released.count++;
      await release();
    };
    const plain = await exportText();
    expect(released.count).toBe(0);
    const paged = await exportText(2);
    // Once after the selection's one page, once after the link records, once after visit 2
    // (no onProgress given: the visits are counted all the same).
    expect(released.count).toBe(3);
    expect(collected).toBe(3); // a garbage collection after each release, none without releases
    expect(plain.summary.visits).toBe(3);
    expect(paged.summary).toEqual(plain.summary);
    expect(paged.text).toBe(plain.text);
  });
});
