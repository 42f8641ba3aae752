import { createWriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
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
      Device: 3,
      Media: 2,
    });
    console.log(summary.resources);
  });
});
