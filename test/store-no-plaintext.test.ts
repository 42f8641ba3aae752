import { describe, expect, it } from 'vitest';
import { openStore } from '../store/index.ts';
import { TEST_KDF, sampleObservation } from '../store/testing.ts';
import { tempStores } from '../store/test-fixtures.ts';
import { filesUnder } from './helpers/data-dir.ts';
import { cborNeedle, plaintextIn, textNeedles, type Needle } from './helpers/plaintext.ts';

const dataDir = tempStores({ scope: 'file', prefix: 'fieldkit-plaintext-' }).dir();

/** Every way a value could sit on disk in the clear: UTF-8, UTF-16, CBOR text, normalised forms, CBOR floats. */
function needles(): Needle[] {
  const text = [
    'Шерстобитова',
    'шерстобитова',
    'шерстоб',
    'Zebulonova',
    'zebulonova',
    'Евфросиния',
    '9876 543210',
    '9876543210',
    '+7 913 555 0199',
    'Tyumen oblast, Kholmogory settlement',
    'SERIAL-XK-7781-QZ',
    'visit-needle-4242',
    'patient-needle-4242',
    'Unmistakable ECG annotation text',
  ];
  // The measured value as CBOR encodes it (float64) and as text.
  return [...text.flatMap(textNeedles), cborNeedle('137.0625', 137.0625), ...textNeedles('137.0625')];
}

describe('no plaintext on disk', () => {
  it('finds none of the known names and values in any file of the data directory', async () => {
    const store = await openStore({ path: dataDir, passphrase: 'plaintext-test', kdf: TEST_KDF });
    const patient = await store.addPatient({
      familyName: 'Шерстобитова',
      givenName: 'Евфросиния',
      documents: [{ kind: 'passport', number: '9876 543210' }],
      phone: '+7 913 555 0199',
      address: 'Tyumen oblast, Kholmogory settlement',
    });
    await store.addPatient({ familyName: 'Zebulonova', givenName: 'Ann' });
    const base = sampleObservation(1, 'visit-needle-4242', 'patient-needle-4242');
    await store.addObservations([
      {
        ...base,
        value: { kind: 'quantity', value: 137.0625, precision: 4, unit: 'mm[Hg]' },
        provenance: { ...base.provenance, deviceId: 'SERIAL-XK-7781-QZ' },
      },
    ]);
    await store.openVisit({ patientId: patient.id, reason: 'Unmistakable ECG annotation text' });
    const blob = [new TextEncoder().encode('Unmistakable ECG annotation text '.repeat(100))];
    await store.putBlob({ kind: 'document', mediaType: 'text/plain', note: 'Zebulonova' }, blob);
    await store.enqueueOutbox({
      priority: 'urgent',
      kind: 'note',
      payload: new TextEncoder().encode('Шерстобитова'),
    });
    // Searches exercise the read paths (and their audit entries) before the files are checked.
    expect(await store.findPatientsByNamePrefix('шерстоб')).toHaveLength(1);
    expect(await store.findPatientByDocument('9876543210')).toBeDefined();
    await store.close();

    expect(filesUnder(dataDir).length).toBeGreaterThanOrEqual(2);
    expect(plaintextIn(dataDir, needles())).toEqual([]);
  });
});
