import type { PatientRecord } from '../../../../store/index.ts';
import type { HumanName, Identifier, Patient } from '../../fhir-types.ts';
import { documentIdentifier } from '../../profiles/identifier-profile.ts';
import { KIND, type MapContext } from '../context.ts';
import { fhirText } from '../fhir-json.ts';

/** The patient's name: family, then given name and patronymic as the two given names. */
export function humanName(p: Pick<PatientRecord, 'familyName' | 'givenName' | 'middleName'>): HumanName {
  const family = fhirText(p.familyName);
  const given = [p.givenName, p.middleName ?? ''].map(fhirText).filter((g) => g.length > 0);
  return {
    use: 'official',
    text: [family, ...given].join(' '),
    family,
    ...(given.length > 0 ? { given } : {}),
  };
}

/**
 * The identifiers a patient is exported with: each document through the profile. A patient with
 * no document gets the kit's own identifier instead, so the bundle's conditional create still
 * finds them on a second post.
 */
export function patientIdentifiers(p: PatientRecord, ctx: MapContext): Identifier[] {
  const ids = p.documents.map((d) => documentIdentifier(ctx.profile, d));
  return ids.length > 0 ? ids : [ctx.names.identifier(KIND.patient, p.id)];
}

/** A stored patient as a FHIR Patient (names and documents as the brigade recorded them). */
export function toPatient(p: PatientRecord, ctx: MapContext): Patient {
  const phone = p.phone === undefined ? '' : fhirText(p.phone);
  const address = p.address === undefined ? '' : fhirText(p.address);
  return {
    resourceType: 'Patient',
    identifier: patientIdentifiers(p, ctx),
    name: [humanName(p)],
    gender: p.sex,
    ...(p.birthDate === undefined ? {} : { birthDate: p.birthDate }),
    ...(phone ? { telecom: [{ system: 'phone' as const, value: phone }] } : {}),
    ...(address ? { address: [{ text: address }] } : {}),
  };
}
