import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RecordStore } from '../../store/index.ts';
import { tempStores } from '../../store/test-fixtures.ts';
import { plaintextIn, textNeedles } from '../../test/helpers/plaintext.ts';
import { exportFhir } from './export/export-fhir.ts';
import { fhirPatients } from './import/fhir-patients.ts';
import { importPatientList } from './import/import-patients.ts';
import { RU_CORE } from './profiles/index.ts';
import { fhirProblems, loadFhirDefinitions } from './testing/fhir-validator.ts';
import { BRIGADE, PATIENT, storeFullVisit } from './testing/full-visit.ts';

// Export -> import into an empty kit -> export, on two real encrypted stores in temp dirs.

interface Entry {
  fullUrl: string;
  resource: { resourceType: string; [k: string]: unknown };
  request: { method: string; url: string; ifNoneExist?: string };
}

const temp = tempStores();

beforeAll(() => loadFhirDefinitions(), 120_000);

async function exportVisit(store: RecordStore, visitId: string): Promise<Entry[]> {
  const parts: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      parts.push(chunk);
      done();
    },
  });
  await exportFhir(store, { by: 'visit', id: visitId }, out, { profile: RU_CORE, brigade: BRIGADE });
  return (JSON.parse(Buffer.concat(parts).toString('utf8')) as { entry: Entry[] }).entry;
}

const patientsOf = (entries: Entry[]): Entry[] =>
  entries.filter((e) => e.resource.resourceType === 'Patient');

describe('FHIR round trip', () => {
  it('export, import the patients into an empty kit, export again: the Patients are equal', async () => {
    const first = await temp.open();
    const visit = await storeFullVisit(first);
    const exported = patientsOf(await exportVisit(first, visit.visitId));
    expect(exported).toHaveLength(1);

    const second = await temp.open();
    const list = Buffer.from(
      JSON.stringify({
        resourceType: 'Bundle',
        type: 'collection',
        entry: exported.map((e) => ({ fullUrl: e.fullUrl, resource: e.resource })),
      }),
    );
    const report = await importPatientList(fhirPatients(list), second, { partial: false });
    expect(report).toMatchObject({ applied: true, created: ['entry 1'], refused: [], notes: [] });

    const imported = await second.findPatientByDocument(PATIENT.documents![0]!.number);
    expect(imported).toBeDefined();
    const again = await second.openVisit({ patientId: imported!.id });
    const reexported = patientsOf(await exportVisit(second, again.id));
    expect(reexported.map((e) => e.resource)).toEqual(exported.map((e) => e.resource));
    expect(reexported.map((e) => e.request)).toEqual(exported.map((e) => e.request));
    expect(fhirProblems(reexported[0]!.resource)).toEqual([]);

    // A second import of the same list finds the patient and changes nothing.
    const repeat = await importPatientList(fhirPatients(list), second, { partial: false });
    expect(repeat).toMatchObject({ applied: false, unchanged: ['entry 1'], refused: [] });

    // Nothing the list named is on disk in the clear.
    const stored = await second.getPatient(imported!.id);
    const texts = [
      stored.familyName,
      stored.givenName ?? '',
      stored.middleName ?? '',
      stored.phone ?? '',
      stored.address ?? '',
      ...stored.documents.map((d) => d.number),
      ...(PATIENT.documents ?? []).map((d) => d.number),
    ].filter((t) => Buffer.byteLength(t) >= 6);
    expect(texts.length).toBeGreaterThanOrEqual(8);
    const dir = second.path;
    await second.close();
    expect(plaintextIn(dir, [...new Set(texts)].flatMap(textNeedles))).toEqual([]);
  });
});
