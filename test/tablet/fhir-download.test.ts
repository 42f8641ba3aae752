import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WirePatient, WireVisit } from '../../runtime/http/api/wire-types.ts';
import { startTabletKit, type TabletKit } from '../helpers/tablet-kit.ts';
import { launchTablets } from '../helpers/tablets.ts';

const WAIT = { timeout: 15_000 };
const SHOTS = join(process.cwd(), 'artifacts', 'screenshots');

async function post<T>(kit: TabletKit, path: string, body: unknown): Promise<T> {
  const res = await kit.fetch(`${kit.url}api/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

interface Bundle {
  resourceType: string;
  type: string;
  entry: { resource: { resourceType: string; name?: { family?: string }[] } }[];
}

// Real Chromium on the kit's real HTTPS: a tablet paired as a doctor downloads the visit's FHIR
// bundle from the visit screen; a feldsher's tablet is not offered it.
describe("the visit's FHIR export from a doctor's tablet", () => {
  let kit: TabletKit;
  let tablets: Awaited<ReturnType<typeof launchTablets>>;
  beforeAll(async () => {
    kit = await startTabletKit({ oximeterRateHz: 2, bpIntervalMs: 3000 });
    tablets = await launchTablets({ trustCaPem: [kit.caPem] });
  });
  afterAll(async () => {
    await tablets?.close();
    await kit?.dispose();
  });

  it('downloads the same bundle the export writes; the feldsher sees no button', async () => {
    const patient = await post<WirePatient>(kit, 'patients', {
      clientId: 'fhir-download-patient',
      familyName: 'Соколова',
      givenName: 'Анна',
    });
    const visit = await post<WireVisit>(kit, 'visits', {
      clientId: 'fhir-download-visit',
      patientId: patient.id,
    });

    const doctor = (await tablets.tablet()).page;
    await doctor.goto(`${kit.url}pair#code=${await kit.pairingCode('doctor')}`);
    await doctor.click('[data-testid="pair-submit"]');
    await doctor.waitForSelector('[data-testid="patient-search"]', WAIT);
    await doctor.goto(`${kit.url}visits/${visit.id}`);
    const button = doctor.locator('[data-testid="fhir-download"]');
    await button.waitFor(WAIT);
    expect(await button.textContent()).toBe('Скачать FHIR');
    await doctor.screenshot({ path: join(SHOTS, 'visit-doctor-fhir.png') });
    const [download] = await Promise.all([doctor.waitForEvent('download', WAIT), button.click()]);
    expect(download.suggestedFilename()).toBe(`${visit.id}.fhir.json`);
    const bundle = JSON.parse(readFileSync(await download.path(), 'utf8')) as Bundle;
    expect([bundle.resourceType, bundle.type]).toEqual(['Bundle', 'transaction']);
    const patients = bundle.entry.filter((e) => e.resource.resourceType === 'Patient');
    expect(patients.map((p) => p.resource.name?.[0]?.family)).toEqual(['Соколова']);
    expect(bundle.entry.some((e) => e.resource.resourceType === 'Encounter')).toBe(true);

    const feldsher = (await tablets.tablet()).page;
    await feldsher.goto(`${kit.url}pair#code=${await kit.pairingCode('feldsher')}`);
    await feldsher.click('[data-testid="pair-submit"]');
    await feldsher.waitForSelector('[data-testid="patient-search"]', WAIT);
    await feldsher.goto(`${kit.url}visits/${visit.id}`);
    await feldsher.locator('[data-testid="visit-screen"]').waitFor(WAIT);
    expect(await feldsher.locator('[data-testid="fhir-download"]').count()).toBe(0);
  });
});
