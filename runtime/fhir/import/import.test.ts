import { describe, expect, it } from 'vitest';
import type { RecordStore } from '../../../store/index.ts';
import { tempStores } from '../../../store/test-fixtures.ts';
import { toCp1251 } from '../testing/cp1251.ts';
import { csvText, listRow, snilsFor } from '../testing/patient-lists.ts';
import { csvPatients } from './csv-patients.ts';
import { fhirPatients } from './fhir-patients.ts';
import { importPatientList } from './import-patients.ts';
import { ImportFileError } from './import-types.ts';

const temp = tempStores();
const stores = () => temp.open();

/** Patient creations and updates in the audit log: what "changes nothing" is checked against. */
async function patientWrites(store: RecordStore): Promise<number> {
  const entries = await store.readAudit(0, 100_000);
  return entries.filter((e) => e.table === 'patients' && (e.action === 'create' || e.action === 'update'))
    .length;
}

const bundle = (...resources: object[]): Buffer =>
  Buffer.from(
    JSON.stringify({
      resourceType: 'Bundle',
      type: 'collection',
      entry: resources.map((resource) => ({ resource })),
    }),
  );

const fhirPatient = (family: string, snils: string, birthDate = '1950-01-02') => ({
  resourceType: 'Patient',
  identifier: [{ system: 'urn:oid:1.2.643.2.69.1.1.1.6.223', value: snils }],
  name: [{ family, given: ['Анна'] }],
  birthDate,
  gender: 'female',
});

describe('patient list import', () => {
  it('reads a Windows-1251, ;-separated CSV, merges without duplicates on a second import', async () => {
    const store = await stores();
    const rows = [0, 1, 2, 3].map(listRow);
    const bytes = toCp1251(csvText(rows));
    const parsed = csvPatients(bytes);
    expect(parsed.format).toBe("CSV, windows-1251 (detected), ';'-separated");
    expect(parsed.issues).toEqual([]);
    const first = await importPatientList(parsed, store, { partial: false });
    expect(first).toMatchObject({
      applied: true,
      created: ['row 2', 'row 3', 'row 4', 'row 5'],
      refused: [],
    });
    const found = await store.findPatientByDocument(rows[2]!.snils);
    expect(found).toMatchObject({ familyName: rows[2]!.family, givenName: rows[2]!.given, sex: 'male' });
    const again = await importPatientList(csvPatients(bytes), store, { partial: false });
    expect(again).toMatchObject({
      applied: false,
      created: [],
      updated: [],
      unchanged: ['row 2', 'row 3', 'row 4', 'row 5'],
    });
    expect(await patientWrites(store)).toBe(1); // the first import's one commit
  });

  it('adds what a stored patient lacks (a полис ОМС) instead of creating a second one', async () => {
    const store = await stores();
    const row = listRow(5);
    const stored = await store.addPatient({
      familyName: row.family,
      givenName: row.given,
      middleName: row.middle,
      documents: [{ kind: 'snils', number: row.snils }],
    });
    const report = await importPatientList(csvPatients(Buffer.from(csvText([row]))), store, {
      partial: false,
    });
    expect(report).toMatchObject({ applied: true, created: [], updated: ['row 2'] });
    const after = await store.getPatient(stored.id);
    expect(after.documents).toEqual([
      { kind: 'snils', number: row.snils },
      { kind: 'oms', number: row.oms },
    ]);
    expect(after.birthDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  describe('bad input: clear per-entry errors, nothing changed', () => {
    it('refuses a file that is not FHIR', () => {
      expect(() => fhirPatients(Buffer.from('Фамилия;Имя\nИванов;Иван\n'))).toThrow(ImportFileError);
      expect(() => fhirPatients(Buffer.from('Фамилия;Имя\nИванов;Иван\n'))).toThrow(/not FHIR JSON/);
      expect(() => fhirPatients(Buffer.from('{"resourceType":"Observation"}'))).toThrow(
        /FHIR Observation, not a Bundle/,
      );
    });

    it('names the entries of the wrong resource type and imports none of the bundle', async () => {
      const store = await stores();
      const parsed = fhirPatients(
        bundle(
          fhirPatient('Орлова', snilsFor(123_456_789)),
          { resourceType: 'Observation', status: 'final' },
          { resourceType: 'Encounter' },
        ),
      );
      const report = await importPatientList(parsed, store, { partial: false });
      expect(report.applied).toBe(false);
      expect(report.refused).toEqual([
        { label: 'entry 2', message: 'Observation is not a Patient' },
        { label: 'entry 3', message: 'Encounter is not a Patient' },
      ]);
      expect(await patientWrites(store)).toBe(0);
    });

    it('refuses a CSV with a missing column, naming it', () => {
      const text = 'Фамилия;Имя;Дата рождения;Пол;Полис ОМС\nИванов;Иван;01.02.1950;м;7700000000000001\n';
      expect(() => csvPatients(Buffer.from(text))).toThrow(/lacks 'снилс'/);
    });

    it('refuses both entries of one СНИЛС under two names, and the rest with them', async () => {
      const store = await stores();
      const a = listRow(1);
      const b = { ...listRow(2), snils: a.snils, family: 'Другова' };
      const c = listRow(3);
      const report = await importPatientList(csvPatients(Buffer.from(csvText([a, b, c]))), store, {
        partial: false,
      });
      expect(report.applied).toBe(false);
      expect(report.refused).toEqual([
        { label: 'row 2', message: `СНИЛС ${a.snils} also in row 3 with a different name` },
        { label: 'row 3', message: `СНИЛС ${a.snils} also in row 2 with a different name` },
      ]);
      expect(await patientWrites(store)).toBe(0);
      const partial = await importPatientList(csvPatients(Buffer.from(csvText([a, b, c]))), store, {
        partial: true,
      });
      expect(partial).toMatchObject({ applied: true, created: ['row 4'] });
      expect(await store.findPatientByDocument(a.snils)).toBeUndefined();
    });

    it('refuses an entry whose СНИЛС is on record for someone else', async () => {
      const store = await stores();
      const snils = snilsFor(222_333_444);
      await store.addPatient({
        familyName: 'Орлова',
        givenName: 'Анна',
        documents: [{ kind: 'snils', number: snils }],
      });
      const before = await patientWrites(store);
      const report = await importPatientList(fhirPatients(bundle(fhirPatient('Соколова', snils))), store, {
        partial: false,
      });
      expect(report.refused.map((r) => r.label)).toEqual(['entry 1']);
      expect(report.refused[0]?.message).toMatch(
        new RegExp(`^СНИЛС ${snils} is on record \\(p-[0-9a-f]+\\) for a patient with a different name$`),
      );
      expect(await patientWrites(store)).toBe(before);
    });

    it('reports every bad value of a row: check number, policy length, date, sex', () => {
      const row = { ...listRow(0), snils: '11223344596', oms: '77000', birth: '31.02.1950', sex: 'x' };
      const parsed = csvPatients(Buffer.from(csvText([row])));
      expect(parsed.candidates).toEqual([]);
      expect(parsed.issues.map((i) => i.message)).toEqual([
        "birth date '31.02.1950' is not a date (YYYY-MM-DD or DD.MM.YYYY)",
        "sex 'x' is not one of м, ж, male, female",
        "СНИЛС '11223344596' fails its check number",
        "полис ОМС '77000' is not the 16 digits of a unified policy",
      ]);
    });
  });
});
