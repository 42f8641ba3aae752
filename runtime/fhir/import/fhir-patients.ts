import { kindOfSystem } from '../profiles/index.ts';
import { decodeText } from './encoding.ts';
import {
  ImportFileError,
  type EntryIssue,
  type ParsedPatients,
  type PatientCandidate,
} from './import-types.ts';
import { normalisePatient, type RawPatient } from './normalise.ts';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function nameOf(p: Json): { family?: string; given: string[] } {
  const names = list(p.name).filter(isObject);
  const n = names.find((x) => x.use === 'official') ?? names.find((x) => x.use === 'usual') ?? names[0];
  if (!n) return { given: [] };
  return { family: str(n.family), given: list(n.given).filter((g): g is string => typeof g === 'string') };
}

function addressOf(p: Json): string | undefined {
  const a = list(p.address).find(isObject);
  if (!a) return undefined;
  return (
    str(a.text) ??
    [...list(a.line), a.city, a.district, a.state]
      .filter((x): x is string => typeof x === 'string')
      .join(', ')
  );
}

function rawPatient(p: Json, label: string, notes: EntryIssue[]): RawPatient {
  const name = nameOf(p);
  const documents: { kind: string; number: string }[] = [];
  for (const id of list(p.identifier).filter(isObject)) {
    const system = str(id.system) ?? '';
    const value = str(id.value) ?? '';
    const kind = kindOfSystem(system);
    if (kind) documents.push({ kind, number: value });
    else notes.push({ label, message: `identifier system '${system}' is not one the kit knows: ignored` });
  }
  const phone = list(p.telecom)
    .filter(isObject)
    .find((t) => t.system === 'phone');
  return {
    familyName: name.family,
    givenName: name.given[0],
    middleName: name.given.slice(1).join(' ') || undefined,
    birthDate: str(p.birthDate),
    sex: str(p.gender),
    documents,
    phone: phone ? str(phone.value) : undefined,
    address: addressOf(p),
  };
}

/**
 * A Bundle of Patient resources (any bundle type: a transaction from a clinic system, a search
 * result, a collection) into checked candidates, one per entry. Entries holding anything but a
 * Patient are issues naming the entry; a file that is not JSON or not a Bundle is refused whole.
 */
export function fhirPatients(bytes: Uint8Array): ParsedPatients {
  let json: unknown;
  try {
    json = JSON.parse(decodeText(bytes, 'utf-8').text);
  } catch (err) {
    throw new ImportFileError('not_json', `the file is not FHIR JSON: ${(err as Error).message}`);
  }
  if (!isObject(json))
    throw new ImportFileError('not_fhir', 'the file is not a FHIR resource (no JSON object)');
  if (json.resourceType !== 'Bundle')
    throw new ImportFileError(
      'not_fhir',
      `the file is a ${typeof json.resourceType === 'string' ? `FHIR ${json.resourceType}` : 'JSON object without resourceType'}, not a Bundle of Patient`,
    );
  const candidates: PatientCandidate[] = [];
  const issues: EntryIssue[] = [];
  const notes: EntryIssue[] = [];
  list(json.entry).forEach((e, i) => {
    const label = `entry ${i + 1}`;
    const resource = isObject(e) ? e.resource : undefined;
    if (!isObject(resource)) {
      issues.push({ label, message: 'no resource' });
      return;
    }
    if (resource.resourceType !== 'Patient') {
      issues.push({ label, message: `${String(resource.resourceType)} is not a Patient` });
      return;
    }
    const result = normalisePatient(label, rawPatient(resource, label, notes));
    if (Array.isArray(result)) issues.push(...result);
    else candidates.push(result);
  });
  if (candidates.length === 0 && issues.length === 0)
    throw new ImportFileError('empty', 'the Bundle holds no entries');
  return { candidates, issues, notes, format: 'FHIR JSON Bundle' };
}
