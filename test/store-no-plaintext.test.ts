import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeCbor } from '../store/cbor.ts';
import { openStore } from '../store/index.ts';
import { TEST_KDF, sampleObservation } from '../store/testing.ts';
import { tempStores } from '../store/test-fixtures.ts';

const dataDir = tempStores({ scope: 'file', prefix: 'fieldkit-plaintext-' }).dir();

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/** Every way a value could sit on disk in the clear: UTF-8, UTF-16, normalised forms, CBOR floats. */
function needles(): { label: string; bytes: Buffer }[] {
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
  const out = text.flatMap((s) => [
    { label: `${s} (utf8)`, bytes: Buffer.from(s, 'utf8') },
    { label: `${s} (utf16)`, bytes: Buffer.from(s, 'utf16le') },
  ]);
  // The measured value as CBOR encodes it (float64) and as text.
  out.push({ label: '137.0625 (cbor)', bytes: Buffer.from(encodeCbor(137.0625)) });
  out.push({ label: '137.0625 (text)', bytes: Buffer.from('137.0625') });
  return out;
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

    const files = filesUnder(dataDir);
    expect(files.length).toBeGreaterThanOrEqual(2);
    const found: string[] = [];
    for (const file of files) {
      const content = readFileSync(file);
      for (const n of needles()) if (content.includes(n.bytes)) found.push(`${n.label} in ${file}`);
    }
    expect(found).toEqual([]);
  });
});
