import { bloodPressureMeasurement } from '../../ble-devices/codecs/blood-pressure.ts';
import { plxSpotCheck } from '../../ble-devices/codecs/plx-spot-check.ts';
import { temperatureMeasurement } from '../../ble-devices/codecs/temperature.ts';
import { num, readingInputs } from '../../runtime/fhir/testing/full-visit.ts';
import { listRow } from '../../runtime/fhir/testing/patient-lists.ts';
import type { RecordStore } from '../../store/index.ts';

const CUFF = { id: 'AA:BB:CC:00:00:01', name: 'A&D UA-651BLE' };
const OXIMETER = { id: 'AA:BB:CC:00:00:02', name: 'Nonin 3230' };
const THERMOMETER = { id: 'AA:BB:CC:00:00:03', name: 'TD-1107' };
const T0 = Date.parse('2026-06-01T06:00:00Z');

/** Visit `i`: a patient of its own (СНИЛС, ОМС), a BP frame, a spot-check SpO2 frame, a temperature. */
async function seedVisit(store: RecordStore, i: number): Promise<void> {
  const row = listRow(i);
  const patient = await store.addPatient({
    familyName: row.family,
    givenName: row.given,
    middleName: row.middle,
    sex: 'male',
    birthDate: `${1930 + (i % 80)}-01-15`,
    documents: [
      { kind: 'snils', number: row.snils },
      { kind: 'oms', number: row.oms },
    ],
  });
  const openedAt = T0 + i * 10 * 60_000;
  const visit = await store.openVisit({
    patientId: patient.id,
    reason: 'плановый осмотр',
    openedAt: new Date(openedAt).toISOString(),
  });
  const where = { visitId: visit.id, patientId: patient.id };
  const at = (min: number) => new Date(openedAt + min * 60_000);
  await store.addObservations(
    readingInputs(
      bloodPressureMeasurement,
      {
        unit: 'mmHg',
        systolic: num(120 + (i % 40)),
        diastolic: num(70 + (i % 25)),
        meanArterial: num(90 + (i % 20)),
        timestamp: null,
        pulseRate: num(60 + (i % 50)),
        userId: null,
        status: 0,
      },
      where,
      CUFF,
      at(1),
    ),
  );
  await store.addObservations(
    readingInputs(
      plxSpotCheck,
      {
        spo2: num(90 + (i % 10)),
        pr: num(60 + (i % 50)),
        timestamp: null,
        measurementStatus: null,
        deviceSensorStatus: null,
        pulseAmplitudeIndex: null,
        deviceClockNotSet: false,
      },
      where,
      OXIMETER,
      at(2),
    ),
  );
  await store.addObservations(
    readingInputs(
      temperatureMeasurement,
      { unit: 'Cel', value: num(3640 + (i % 200), -2), timestamp: null, temperatureType: null },
      where,
      THERMOMETER,
      at(3),
    ),
  );
  await store.closeVisit(visit.id);
}

/**
 * Fills a store with `count` closed visits, `parallel` at a time (the store groups concurrent
 * writes into shared commits, as on a busy kit), each with its own patient and three instrument
 * frames: 5 observations and 3 provenances per visit when exported, with Patient and Encounter.
 * No photos or ECG strips: their bytes would measure base64 and disk, not the exporter.
 */
export async function seedVisits(store: RecordStore, count: number, parallel = 64): Promise<void> {
  for (let start = 0; start < count; start += parallel) {
    const batch: Promise<void>[] = [];
    for (let i = start; i < Math.min(count, start + parallel); i++) batch.push(seedVisit(store, i));
    await Promise.all(batch);
  }
}
