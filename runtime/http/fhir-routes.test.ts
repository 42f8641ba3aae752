import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { tempStores } from '../../store/test-fixtures.ts';
import { exportFhir } from '../fhir/export/export-fhir.ts';
import { N3, RU_CORE } from '../fhir/profiles/index.ts';
import { storeFullVisit } from '../fhir/testing/full-visit.ts';
import { pairInProcess, testApp } from './test-app.ts';

// The doctor's-tablet download over the kit's real app (in process) and a real store.

const temp = tempStores();

async function cliExport(
  store: Parameters<typeof exportFhir>[0],
  id: string,
  profile = RU_CORE,
): Promise<string> {
  let text = '';
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  await exportFhir(store, { by: 'visit', id }, out, { profile });
  return text;
}

const entriesOf = (text: string) => (JSON.parse(text) as { entry: unknown[] }).entry;

describe('GET /api/visits/:id/fhir', () => {
  it("gives a doctor's tablet the visit's bundle, as the export command writes it", async () => {
    const store = await temp.open();
    const visit = await storeFullVisit(store);
    const { app } = testApp(store);
    const doctor = await pairInProcess(app, store, 'doctor');
    const auth = { authorization: `Bearer ${doctor}` };

    const res = await app.request(`/api/visits/${visit.visitId}/fhir?profile=n3`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/fhir+json; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${visit.visitId}.fhir.json"`);
    const body = await res.text();
    expect(entriesOf(body)).toEqual(entriesOf(await cliExport(store, visit.visitId, N3)));
    expect(body).toContain('urn:oid:1.2.643.2.69.1.1.1.6.223');

    const missing = await app.request('/api/visits/v-00000000000000ff/fhir', { headers: auth });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'not_found' });
    const badProfile = await app.request(`/api/visits/${visit.visitId}/fhir?profile=x`, { headers: auth });
    expect(badProfile.status).toBe(400);

    const feldsher = await pairInProcess(app, store, 'feldsher');
    const refused = await app.request(`/api/visits/${visit.visitId}/fhir`, {
      headers: { authorization: `Bearer ${feldsher}` },
    });
    expect(refused.status).toBe(403);
  });
});
