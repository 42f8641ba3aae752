import { mkdir, open, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../runtime/cli/main.ts';
import { BRIGADE, storeFullVisit } from '../runtime/fhir/testing/full-visit.ts';
import { csvText, listRow } from '../runtime/fhir/testing/patient-lists.ts';
import { openStore, type RecordStore } from '../store/index.ts';
import { TEST_KDF } from '../store/testing.ts';
import { tempStores } from '../store/test-fixtures.ts';
import { memoryIo } from './helpers/memory-io.ts';

// `fieldkit export` and `fieldkit import` run in process (main()) on a real encrypted store.

const temp = tempStores({ scope: 'file', prefix: 'fieldkit-fhir-cli-' });
const base = temp.dir();
const files = temp.dir();
const env = { FIELDKIT_PASSPHRASE: 'cli-pass', FIELDKIT_DATA: base };

async function withStore<T>(work: (s: RecordStore) => Promise<T>): Promise<T> {
  const store = await openStore({ path: base, passphrase: 'cli-pass', kdf: TEST_KDF });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** Patient creations and updates in the audit log: "nothing changed" is checked against it. */
const patientWrites = () =>
  withStore(
    async (s) =>
      (await s.readAudit(0, 100_000)).filter(
        (e) => e.table === 'patients' && (e.action === 'create' || e.action === 'update'),
      ).length,
  );

beforeAll(() => mkdir(files, { recursive: true }));

describe('fieldkit export / import', () => {
  it('exports a visit and a shift to a file written whole, with the brigade', async () => {
    const visit = await withStore((s) => storeFullVisit(s));
    const roster = join(files, 'brigade.json');
    await writeFile(roster, JSON.stringify(BRIGADE));
    const out = join(files, 'visit.json');
    const io = memoryIo(env);
    expect(
      await main(['export', '--fhir', '--visit', visit.visitId, '--out', out, '--brigade', roster], io),
    ).toBe(0);
    expect(io.err()).toMatch(
      /exported 1 visit\(s\), \d+ resources \(.*Observation 22.*ServiceRequest 1\) to /,
    );
    const bundle = JSON.parse(await readFile(out, 'utf8')) as {
      type: string;
      entry: { resource: { resourceType: string } }[];
    };
    expect(bundle.type).toBe('transaction');
    expect(bundle.entry.filter((e) => e.resource.resourceType === 'Practitioner')).toHaveLength(2);
    expect((await readdir(files)).filter((f) => f.includes('.partial-'))).toEqual([]);

    const shift = memoryIo(env);
    expect(await main(['export', '--fhir', '--shift', '2026-11-22', '--profile', 'n3'], shift)).toBe(0);
    expect(shift.out()).toContain('urn:oid:1.2.643.2.69.1.1.1.6.223');
    const none = memoryIo(env);
    expect(await main(['export', '--fhir', '--shift', '2026-11-23'], none)).toBe(0);
    expect(none.err()).toMatch(/exported 0 visit/);
  });

  it('refuses a 200 MB file by its size before reading it, and changes nothing', async () => {
    const before = await patientWrites();
    const big = join(files, 'huge.csv');
    const handle = await open(big, 'w');
    await handle.truncate(200 * 1024 * 1024); // sparse: the size is real, the disk is not used
    await handle.close();
    const io = memoryIo(env);
    expect(await main(['import', '--csv', big], io)).toBe(1);
    expect(io.err()).toMatch(/huge\.csv is 200\.0 MB; the import limit is 64\.0 MB .*Nothing was read/);
    expect(await patientWrites()).toBe(before);
  });

  it('imports a CSV list, and refuses a conflicting one whole, naming the rows', async () => {
    const rows = [10, 11, 12].map(listRow);
    const good = join(files, 'list.csv');
    await writeFile(good, csvText(rows));
    const io = memoryIo(env);
    expect(await main(['import', '--csv', good], io)).toBe(0);
    expect(io.out()).toMatch(/imported \(CSV, utf-8 \(detected\), ';'-separated\): 3 new, 0 updated/);
    const before = await patientWrites();

    const bad = join(files, 'bad.csv');
    await writeFile(bad, csvText([listRow(13), { ...rows[0]!, family: 'Другова' }]));
    const refused = memoryIo(env);
    expect(await main(['import', '--csv', bad], refused)).toBe(1);
    expect(refused.out()).toMatch(/^row 3: REFUSED: СНИЛС .* on record .* different name$/m);
    expect(refused.out()).toMatch(/NOTHING imported/);
    expect(await patientWrites()).toBe(before);

    const notFhir = memoryIo(env);
    expect(await main(['import', '--fhir', good], notFhir)).toBe(1);
    expect(notFhir.err()).toMatch(/not FHIR JSON.*nothing was imported/);
    expect(await patientWrites()).toBe(before);
  });
});
