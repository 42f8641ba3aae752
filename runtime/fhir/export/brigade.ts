import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';

/** Roles a brigade member can hold (the tablet roles of the LAN server, plus the driver). */
export const BrigadeRole = z.enum(['doctor', 'feldsher', 'nurse', 'driver']);
/** See {@link BrigadeRole}. */
export type BrigadeRole = z.infer<typeof BrigadeRole>;

const Name = z.string().trim().min(1).max(100);

/** One member of the brigade. */
export const BrigadeMember = z.object({
  /** A short id, stable across shifts (`ivanova-m`): names the member's records in exports. */
  id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'id: 1-64 of [A-Za-z0-9_.-]'),
  familyName: Name,
  givenName: Name,
  middleName: Name.optional(),
  snils: z.string().max(20).optional(),
  role: BrigadeRole,
});
/** See {@link BrigadeMember}. */
export type BrigadeMember = z.infer<typeof BrigadeMember>;

/**
 * Who works on the kit's shifts, for Practitioner, PractitionerRole and Organization in the
 * export. Staff, not patients: kept in a small JSON file the brigade's administrator writes
 * (`--brigade FILE` or FIELDKIT_BRIGADE), documented in runtime/fhir/README.md.
 */
export const Brigade = z.object({
  organization: z
    .object({
      name: z.string().trim().min(1).max(300),
      /** The organisation's OID in the national register (ФРМО), without `urn:oid:`. */
      oid: z
        .string()
        .regex(/^[0-2](\.\d+)+$/, 'oid: dotted digits, e.g. 1.2.643.5.1.13.13.12.2.77.7777')
        .optional(),
    })
    .optional(),
  members: z.array(BrigadeMember).min(1).max(50),
});
/** See {@link Brigade}. */
export type Brigade = z.infer<typeof Brigade>;

/** A brigade file that cannot be used, with the reason in one line. */
export class BrigadeFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BrigadeFileError';
  }
}

const MAX_BRIGADE_BYTES = 256 * 1024;

/** Reads and checks a brigade file (at most 256 KiB of JSON). */
export async function loadBrigade(path: string): Promise<Brigade> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    throw new BrigadeFileError(`cannot read the brigade file ${path}: ${(err as Error).message}`);
  }
  if (size > MAX_BRIGADE_BYTES)
    throw new BrigadeFileError(`the brigade file ${path} is ${size} bytes; at most ${MAX_BRIGADE_BYTES}`);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new BrigadeFileError(`the brigade file ${path} is not JSON: ${(err as Error).message}`);
  }
  const parsed = Brigade.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BrigadeFileError(
      `the brigade file ${path} is invalid at ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
  }
  return parsed.data;
}
