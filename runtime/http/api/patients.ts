import { Hono } from 'hono';
import { z } from 'zod';
import { ClientId } from '../../../store/index.ts';
import type { PatientInput } from '../../../store/index.ts';
import type { ApiDeps } from './deps.ts';
import { classifyQuery, OmsPolicy, Snils } from './documents.ts';
import { type ApiEnv, canRead, canWrite } from './env.ts';
import { parseWith, readJson } from './errors.ts';
import { toWirePatient, toWireVisit } from './to-wire.ts';
import type { WirePatientSearch, WirePatientView } from './wire-types.ts';

/** Tomorrow in UTC: a birth date typed today in a zone east of UTC is still accepted. */
const latestBirthDate = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

/** A new patient as the tablet sends it (Russian names, СНИЛС, полис ОМС). */
export const NewPatientBody = z.object({
  clientId: ClientId,
  familyName: z.string().trim().min(1).max(100),
  givenName: z.string().trim().max(100).default(''),
  middleName: z.string().trim().max(100).optional(),
  birthDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .refine(
      (d) => !Number.isNaN(Date.parse(d)) && d >= '1900-01-01' && d <= latestBirthDate(),
      'birth date out of range',
    )
    .optional(),
  sex: z.enum(['male', 'female', 'other', 'unknown']).default('unknown'),
  snils: Snils.optional(),
  oms: OmsPolicy.optional(),
  address: z.string().trim().max(300).optional(),
  phone: z
    .string()
    .trim()
    .max(32)
    .regex(/^[+\d\s()-]*$/, 'phone: digits, spaces, + ( ) -')
    .optional(),
});

const SearchQuery = z.object({ q: z.string().max(100) });

/** Patient routes: search by name prefix or document number (blind indexes), create, read. */
export function patientRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>();

  r.get('/patients', canRead, async (c) => {
    const { q } = parseWith(SearchQuery, c.req.query());
    const query = classifyQuery(q);
    const damaged: string[] = [];
    let patients: WirePatientSearch['patients'] = [];
    if (query?.by === 'document') {
      const found = await deps.store.findPatientByDocument(query.number);
      patients = found ? [toWirePatient(found)] : [];
    } else if (query?.by === 'name') {
      const found = await deps.store.findPatientsByNamePrefix(query.prefix, {
        onDamaged: (e) => damaged.push(e.recordId ?? '?'),
      });
      patients = found
        .map(toWirePatient)
        .sort(
          (a, b) =>
            a.familyName.localeCompare(b.familyName, 'ru') || a.givenName.localeCompare(b.givenName, 'ru'),
        )
        .slice(0, 50);
    }
    return c.json({ patients, damaged } satisfies WirePatientSearch);
  });

  r.post('/patients', canWrite, async (c) => {
    const body = await readJson(c, NewPatientBody);
    const documents: { kind: string; number: string }[] = [];
    if (body.snils) documents.push({ kind: 'snils', number: body.snils });
    if (body.oms) documents.push({ kind: 'oms', number: body.oms });
    const input: PatientInput = {
      familyName: body.familyName,
      givenName: body.givenName,
      sex: body.sex,
      documents,
      ...(body.middleName ? { middleName: body.middleName } : {}),
      ...(body.birthDate ? { birthDate: body.birthDate } : {}),
      ...(body.address ? { address: body.address } : {}),
      ...(body.phone ? { phone: body.phone } : {}),
    };
    // A resend (same client id) answers with the patient created the first time.
    const patient = await deps.store.addPatient(input, body.clientId);
    return c.json(toWirePatient(patient), 201);
  });

  r.get('/patients/:id', canRead, async (c) => {
    const patient = await deps.store.getPatient(c.req.param('id'));
    const visits = (await deps.store.visitsByPatient(patient.id)).map(toWireVisit).reverse();
    return c.json({ patient: toWirePatient(patient), visits } satisfies WirePatientView);
  });

  return r;
}
