import type { Page } from 'playwright-core';
import type { WirePatient, WireVisit } from '../../runtime/http/api/wire-types.ts';
import type { TabletKit } from '../helpers/tablet-kit.ts';

const WAIT = { timeout: 30_000, interval: 100 };

/** A person the consultation tests open a visit for (their client ids get `tag` and the time). */
export interface TestPatient {
  readonly tag: string;
  readonly familyName: string;
  readonly givenName: string;
  readonly middleName: string;
  readonly birthDate: string;
  readonly sex: 'male' | 'female';
}

/**
 * A new patient and an open visit for them, made through the kit's API as a paired tablet
 * would: the start of every consultation test on the tablet. Returns the visit id.
 */
export async function visitWithPatient(kit: TabletKit, who: TestPatient): Promise<string> {
  const post = async <T>(path: string, body: unknown): Promise<T> =>
    (await (
      await kit.fetch(`${kit.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    ).json()) as T;
  const { tag, ...person } = who;
  const patient = await post<WirePatient>('api/patients', {
    clientId: `${tag}-patient-${Date.now()}`,
    ...person,
  });
  const visit = await post<WireVisit>('api/visits', {
    clientId: `${tag}-visit-${Date.now()}`,
    patientId: patient.id,
  });
  return visit.id;
}

/**
 * Sends a consultation request from the tablet's composer on the visit's screen, as a feldsher
 * does: a live SpO2 kept with one tap (the reading travels with the request, bound by its hash),
 * the question, cardiology, the urgency; resolves once the journal shows the request on the kit.
 */
export async function consultFromTablet(
  page: Page,
  kit: TabletKit,
  visitId: string,
  question: string,
  urgent: boolean,
): Promise<void> {
  await page.goto(`${kit.url}visits/${visitId}`);
  await page.waitForSelector('[data-testid="visit-screen"]', WAIT);
  await page.locator('[data-testid="live-2708-6"]').waitFor(WAIT);
  await page.click('[data-testid="keep-2708-6"]');
  await page.waitForSelector('.journal [data-kind="keep"][data-place="kit"]', WAIT);
  await page.click('[data-testid="open-consult"]');
  await page.waitForSelector('[data-testid="consult-composer"]', WAIT);
  await page.fill('[data-testid="consult-question"]', question);
  await page.selectOption('[data-testid="consult-specialty"]', 'cardiology');
  await page.click(`[data-testid="urgency-${urgent ? 'urgent' : 'routine'}"]`);
  await page.click('[data-testid="consult-send"]');
  await page.waitForSelector('.journal [data-kind="consultation"][data-place="kit"]', WAIT);
}
