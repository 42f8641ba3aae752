import { describe, expect, it } from 'vitest';
import { tempStores } from '../test-fixtures.ts';

const temp = tempStores();

describe('patients and visits', () => {
  it('finds patients by name prefix through blind indexes, Cyrillic and ё included', async () => {
    const s = await temp.open();
    const a = await s.addPatient({
      familyName: 'Петров-Водкин',
      givenName: 'Кузьма',
      birthDate: '1950-03-01',
    });
    const b = await s.addPatient({ familyName: 'Петрова', givenName: 'Алёна' });
    await s.addPatient({ familyName: 'Иванов', givenName: 'Пётр' });
    expect((await s.findPatientsByNamePrefix('петров')).map((p) => p.id)).toEqual([a.id, b.id]);
    expect((await s.findPatientsByNamePrefix('ПЕТРОВА')).map((p) => p.id)).toEqual([b.id]);
    expect((await s.findPatientsByNamePrefix('водкин')).map((p) => p.id)).toEqual([a.id]);
    expect((await s.findPatientsByNamePrefix('Петр Але')).map((p) => p.id)).toEqual([b.id]);
    expect((await s.findPatientsByNamePrefix('петров-водкинский')).map((p) => p.id)).toEqual([]);
    expect(await s.findPatientsByNamePrefix('п')).toEqual([]);
    expect((await s.findPatientsByNamePrefix('петр')).length).toBe(3); // Пётр Иванов too
  });

  it('finds a patient by document number regardless of spacing', async () => {
    const s = await temp.open();
    const p = await s.addPatient({
      familyName: 'Сидорова',
      documents: [{ kind: 'passport', number: '45 10 123456' }],
    });
    expect((await s.findPatientByDocument('4510123456'))?.id).toBe(p.id);
    expect(await s.findPatientByDocument('4510123457')).toBeUndefined();
  });

  it('re-indexes a patient on update', async () => {
    const s = await temp.open();
    const p = await s.addPatient({ familyName: 'Смирнова', givenName: 'Анна' });
    await s.updatePatient(p.id, { familyName: 'Кузнецова', givenName: 'Анна' });
    expect(await s.findPatientsByNamePrefix('смир')).toEqual([]);
    expect((await s.findPatientsByNamePrefix('кузн')).map((x) => x.id)).toEqual([p.id]);
    expect((await s.getPatient(p.id)).createdAt).toBe(p.createdAt);
  });

  it('a missing record is not_found and does not fail its batch companions', async () => {
    const s = await temp.open();
    const [missing, ok] = await Promise.allSettled([
      s.updatePatient('p-00000000000000ff', { familyName: 'X' }),
      s.addPatient({ familyName: 'Y' }),
    ]);
    expect(missing.status === 'rejected' && (missing.reason as { code: string }).code).toBe('not_found');
    expect(ok.status).toBe('fulfilled');
    await expect(s.getPatient('nonsense')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('opens, lists and closes visits per patient', async () => {
    const s = await temp.open();
    const p = await s.addPatient({ familyName: 'Орлов' });
    const v1 = await s.openVisit({ patientId: p.id, reason: 'hypertension follow-up' });
    const v2 = await s.openVisit({ patientId: p.id });
    const closed = await s.closeVisit(v1.id);
    expect(closed.status).toBe('closed');
    expect((await s.visitsByPatient(p.id)).map((v) => [v.id, v.status])).toEqual([
      [v1.id, 'closed'],
      [v2.id, 'open'],
    ]);
  });
});
