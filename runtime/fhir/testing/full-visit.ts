import { asDeviceId } from '../../../ble-devices/transport.ts';
import { bloodPressureMeasurement } from '../../../ble-devices/codecs/blood-pressure.ts';
import type { Codec } from '../../../ble-devices/codecs/codec.ts';
import type { MderFloat } from '../../../ble-devices/codecs/ieee11073-float.ts';
import { findCodec, parseHex } from '../../../ble-devices/codecs/registry.ts';
import { plxSpotCheck } from '../../../ble-devices/codecs/plx-spot-check.ts';
import { temperatureMeasurement } from '../../../ble-devices/codecs/temperature.ts';
import { observe } from '../../../ble-devices/observations/index.ts';
import type { ObservationInput, PatientInput, RecordStore } from '../../../store/index.ts';
import { toObservationInputs } from '../../pipeline/to-observation-input.ts';
import { pmdEcgFrame } from '../../../ble-devices/codecs/polar-pmd/pmd-ecg-frame.ts';
import { EcgSynth } from '../../../sim/instruments/ecg-synth.ts';
import type { EcgStrip } from '../../pipeline/ecg-strip-format.ts';
import { EcgStripRecorder } from '../../pipeline/ecg-strip.ts';
import type { Brigade } from '../export/brigade.ts';
import { manualObservation } from '../../http/api/manual-entries.ts';

/** A mantissa/exponent pair as the instrument sends it (36.60 is 3660e-2). */
export const num = (mantissa: number, exponent = 0): MderFloat => ({ kind: 'number', mantissa, exponent });
/** An IEEE 11073 special value. */
export const special = (s: 'NaN' | 'NRes' | '+INF' | '-INF'): MderFloat => ({ kind: 'special', special: s });

/**
 * One instrument frame through the kit's own path: encoded by the codec (spec-exact bytes),
 * decoded from those bytes, mapped to drafts, then to the store's inputs with provenance.
 */
export function readingInputs<T>(
  codec: Codec<T>,
  value: T,
  where: { visitId: string | null; patientId: string | null },
  device: { id: string; name: string },
  receivedAt: Date,
  clockOffsetMs = 0,
): ObservationInput[] {
  const raw = codec.encode(value);
  const decoded = codec.decode(raw);
  const drafts = observe(codec.name, decoded, {
    receivedAt,
    utcOffsetMinutes: 180,
    deviceClockOffsetMs: clockOffsetMs,
  });
  return toObservationInputs(
    {
      deviceId: asDeviceId(device.id),
      deviceName: device.name,
      profile: codec.name,
      characteristic: codec.uuid === null ? codec.name : `0x${codec.uuid.toString(16).toUpperCase()}`,
      codec: codec.name,
      codecVersion: codec.version,
      raw,
      receivedAt,
      observations: drafts,
      preview: null,
      clockOffsetMs,
    },
    where,
  );
}

/** A frame given as spec bytes (codec key, hex) through {@link readingInputs}. */
export function frameInputs(
  key: string,
  hex: string,
  where: { visitId: string | null; patientId: string | null },
  device: { id: string; name: string },
  receivedAt: Date,
): ObservationInput[] {
  const codec = findCodec(key);
  return readingInputs(codec, codec.decode(parseHex(hex)), where, device, receivedAt);
}

/** The patient of the full visit: every field, three documents (СНИЛС typed with separators). */
export const PATIENT: PatientInput = {
  familyName: 'Берёзкина',
  givenName: 'Ангелина',
  middleName: 'Святославовна',
  birthDate: '1948-03-07',
  sex: 'female',
  documents: [
    { kind: 'snils', number: '112-233-445 95' },
    { kind: 'oms', number: '7700 0000 0000 0017' },
    { kind: 'passport', number: '4510 123456' },
  ],
  phone: '+7 900 123-45-67',
  address: 'д. Заречье, ул. Лесная, 3',
};

/** A brigade with an organisation: a doctor and a feldsher. */
export const BRIGADE: Brigade = {
  organization: { name: 'ГБУЗ «Заречная ЦРБ»', oid: '1.2.643.5.1.13.13.12.2.77.7777' },
  members: [
    {
      id: 'sokolova-e',
      familyName: 'Соколова',
      givenName: 'Елена',
      middleName: 'Игоревна',
      snils: '08765432109',
      role: 'doctor',
    },
    { id: 'petrov-a', familyName: 'Петров', givenName: 'Андрей', role: 'feldsher' },
  ],
};

/** What the full visit holds, for the tests' expectations. */
export interface FullVisit {
  readonly patientId: string;
  readonly visitId: string;
  readonly photo: Uint8Array;
  readonly voice: Uint8Array;
  /** The ECG strip as the recorder stored it (samples, gaps). */
  readonly ecg: EcgStrip;
  /** The consultation request written on the tablet. */
  readonly consultationId: string;
  /** Ids of the visit's instrument readings (what a consultation over the link carries). */
  readonly readingIds: readonly string[];
}

/** The H10's ECG: 130 Hz, 73 samples per notification. */
const ECG_RATE = 130;
const ECG_CHUNK = 73;

/**
 * A 10 s single-lead strip through the kit's own recorder (the path the pipeline's waveform
 * chunks take), from the simulator's synthetic ECG: one notification lost on the link (a recorded
 * gap), the device clock 2.5 s behind the kit.
 */
export async function storeEcgStrip(
  store: RecordStore,
  where: { visitId: string; patientId: string },
  startMs: number,
): Promise<EcgStrip> {
  const recorder = new EcgStripRecorder(store);
  const deviceId = asDeviceId('AA:BB:CC:00:00:04');
  const stored = recorder.record({ deviceId, durationS: 10, ...where });
  const synth = new EcgSynth({ rateHz: ECG_RATE, heartRateBpm: 96, seed: 13 });
  for (let n = 0, sent = 0; sent < 10 * ECG_RATE; n++) {
    const samples = Int32Array.from({ length: ECG_CHUNK }, () => synth.next());
    const at = startMs + (sent * 1000) / ECG_RATE;
    sent += ECG_CHUNK;
    if (n === 5) continue; // lost on the link: the next chunk reports the gap
    recorder.accept({
      deviceId,
      deviceName: 'Polar H10 7E2F1A2B',
      profile: 'polar-ecg',
      kind: 'ecg',
      unit: 'uV',
      rateHz: ECG_RATE,
      samples,
      firstSampleUnixNs: BigInt(Math.round(at)) * 1_000_000n,
      gapBefore: n === 6 ? ECG_CHUNK : 0,
      clockOffsetMs: 2500,
      deviceClock: 'utc',
      codec: pmdEcgFrame.name,
      codecVersion: pmdEcgFrame.version,
      raw: new Uint8Array(0),
    });
  }
  return (await stored).strip;
}

const T0 = Date.parse('2026-11-22T09:15:00Z');

/**
 * A closed house call with every kind of record main's store holds: a patient with documents, a
 * BP panel whose cuff flagged an irregular pulse and a pulse over its limit, a spot-check SpO2
 * with pulse, a temperature with two decimals (precision kept), an SpO2 the oximeter sent as NaN,
 * a glucose reading with its HbA1c, a weighing (weight, BMI, height) and body fat, the strap's
 * heart rate, a CMS50 frame from a serial line, a photo, a voice note and a 10 s ECG strip with a
 * lost notification: every observation kind main's codecs produce.
 */
export async function storeFullVisit(store: RecordStore): Promise<FullVisit> {
  const patient = await store.addPatient(PATIENT);
  const visit = await store.openVisit({
    patientId: patient.id,
    reason: 'одышка, слабость',
    place: 'д. Заречье, ул. Лесная, 3',
    openedAt: new Date(T0).toISOString(),
  });
  const where = { visitId: visit.id, patientId: patient.id };
  const cuff = { id: 'AA:BB:CC:00:00:01', name: 'A&D UA-651BLE' };
  const oximeter = { id: 'AA:BB:CC:00:00:02', name: 'Nonin 3230' };
  const thermometer = { id: 'AA:BB:CC:00:00:03', name: 'TD-1107' };
  const at = (min: number): Date => new Date(T0 + min * 60_000);
  const readings = [
    readingInputs(
      bloodPressureMeasurement,
      {
        unit: 'mmHg',
        systolic: num(152),
        diastolic: num(94),
        meanArterial: num(113),
        timestamp: null,
        pulseRate: num(118),
        userId: null,
        status: 0x04 | (1 << 3) | 0x01, // irregular pulse, pulse over the upper limit, body movement
      },
      where,
      cuff,
      at(2),
      -1500,
    ),
    readingInputs(
      plxSpotCheck,
      {
        spo2: num(93),
        pr: num(104),
        timestamp: null,
        measurementStatus: null,
        deviceSensorStatus: null,
        pulseAmplitudeIndex: null,
        deviceClockNotSet: false,
      },
      where,
      oximeter,
      at(4),
    ),
    readingInputs(
      plxSpotCheck,
      {
        spo2: special('NaN'),
        pr: num(101),
        timestamp: null,
        measurementStatus: null,
        deviceSensorStatus: null,
        pulseAmplitudeIndex: null,
        deviceClockNotSet: false,
      },
      where,
      oximeter,
      at(5),
    ),
    readingInputs(
      temperatureMeasurement,
      { unit: 'Cel', value: num(3860, -2), timestamp: null, temperatureType: null },
      where,
      thermometer,
      at(6),
    ),
  ];
  // The other instruments main's codecs read, from the spec byte vectors of the observation
  // tests: a glucometer's memory (a reading and its HbA1c context), a scale (weight, BMI, height;
  // body fat), the H10's heart rate, a CMS50 on its serial line.
  const glucometer = { id: 'AA:BB:CC:00:00:05', name: 'Contour Plus One' };
  const scale = { id: 'AA:BB:CC:00:00:06', name: 'A&D UC-352BLE' };
  const h10 = { id: 'AA:BB:CC:00:00:04', name: 'Polar H10 7E2F1A2B' };
  const cms50 = { id: '/dev/ttyUSB0', name: 'Contec CMS50D+' };
  readings.push(
    frameInputs('2A18', '02 05 00 E8 07 03 0F 07 2D 00 69 B0 11', where, glucometer, at(7)),
    frameInputs('2A34', '40 05 00 41 F0', where, glucometer, at(7)),
    frameInputs('2A9D', '0E B0 36 E7 07 0C 19 0E 1E 2D 05 F5 00 D6 06', where, scale, at(9)),
    frameInputs('2A9C', '00 04 E1 00 B0 36', where, scale, at(9)),
    frameInputs('2A37', '10 48 00 04 3A 03', where, h10, at(8)),
    frameInputs('contec_live_5byte', 'C5 3A 06 48 61', where, cms50, at(10)),
  );
  // As the pipeline stores them: one call per frame, so a frame's observations share a commit.
  const readingIds: string[] = [];
  for (const inputs of readings) readingIds.push(...(await store.addObservations(inputs)).map((o) => o.id));
  // The NEWS2 parameters no instrument measures, typed on the tablet (as the API stores them).
  const typed = { visitId: visit.id, patientId: patient.id, author: 'Петров А.', tabletId: 'tablet-1' };
  for (const [m, min] of [
    [{ type: 'respiration-rate', value: 24 }, 11],
    [{ type: 'consciousness', value: 'A' }, 11],
    [{ type: 'oxygen', onOxygen: false }, 12],
  ] as const)
    await store.addObservations([manualObservation(m, { ...typed, enteredAt: at(min).toISOString() })]);
  const photo = new Uint8Array(70_001).map((_, i) => (i * 31 + 7) & 0xff);
  const voice = new Uint8Array(12_345).map((_, i) => (i * 17 + 3) & 0xff);
  const photoRecord = await store.putBlob(
    {
      kind: 'photo',
      mediaType: 'image/jpeg',
      visitId: visit.id,
      patientId: patient.id,
      note: 'пролежень, крестец',
    },
    [photo],
  );
  await store.putBlob({ kind: 'voice', mediaType: 'audio/ogg', visitId: visit.id, patientId: patient.id }, [
    voice,
  ]);
  await store.putBlob(
    {
      kind: 'document',
      mediaType: 'application/pdf',
      visitId: visit.id,
      patientId: patient.id,
      note: 'выписка',
    },
    [new TextEncoder().encode('%PDF-1.4 выписка из стационара')],
  );
  const ecg = await storeEcgStrip(store, where, T0 + 8 * 60_000);
  const consultation = await store.createConsultation({
    visitId: visit.id,
    patientId: patient.id,
    clientId: 'full-visit-consult-1',
    author: 'Соколова Е. И.',
    enteredAt: at(14).toISOString(),
    question: 'Одышка, SpO2 93 %, ЧДД 24, ЧСС 118. Госпитализировать?',
    specialty: 'cardiology',
    urgency: 'urgent',
    observationIds: readingIds.slice(0, 4),
    attachmentIds: [photoRecord.id],
    news2Total: 6,
  });
  await store.closeVisit(visit.id);
  return {
    patientId: patient.id,
    visitId: visit.id,
    photo,
    voice,
    ecg,
    consultationId: consultation.consultation.id,
    readingIds,
  };
}
