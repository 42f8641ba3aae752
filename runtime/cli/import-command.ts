import { resolve } from 'node:path';
import { isStoreError } from '../../store/index.ts';
import { csvPatients } from '../fhir/import/csv-patients.ts';
import type { TextEncodingName } from '../fhir/import/encoding.ts';
import { fhirPatients } from '../fhir/import/fhir-patients.ts';
import { importPatientList, type ImportReport } from '../fhir/import/import-patients.ts';
import { ImportFileError, type ParsedPatients } from '../fhir/import/import-types.ts';
import { readImportFile } from '../fhir/import/read-input.ts';
import { CliError, EXIT_USAGE, stringFlag, type CliArgs, type CliIo } from './command.ts';
import { openStoreForCli } from './open-store.ts';
import { resolveStoreAccess } from './store-access.ts';

function encodingOf(args: CliArgs): TextEncodingName | undefined {
  const e = stringFlag(args, 'encoding');
  if (e === undefined) return undefined;
  const name = e
    .toLowerCase()
    .replace(/^cp-?1251$/, 'windows-1251')
    .replace(/^utf8$/, 'utf-8');
  if (name !== 'utf-8' && name !== 'windows-1251')
    throw new CliError(`--encoding: utf-8 or windows-1251, got '${e}'`, EXIT_USAGE);
  return name;
}

function printReport(r: ImportReport, partial: boolean, io: CliIo): void {
  for (const n of r.notes) io.stdout(`${n.label}: note: ${n.message}\n`);
  for (const d of r.duplicates) io.stdout(`${d.label}: duplicate: ${d.message}\n`);
  for (const x of r.refused) io.stdout(`${x.label}: REFUSED: ${x.message}\n`);
  const counts = `${r.created.length} new, ${r.updated.length} updated, ${r.unchanged.length} unchanged, ${r.duplicates.length} duplicate entr${r.duplicates.length === 1 ? 'y' : 'ies'}`;
  if (r.applied)
    io.stdout(
      `imported (${r.format}): ${counts}${r.refused.length > 0 ? `; ${r.refused.length} problem(s) above NOT imported (--partial)` : ''}\n`,
    );
  else if (r.refused.length > 0)
    io.stdout(
      `NOTHING imported (${r.format}): ${r.refused.length} problem(s) above. Fix the file, or import the other entries with --partial.\n`,
    );
  else io.stdout(`nothing to import (${r.format}): ${counts}\n`);
}

/** The implementation of `fieldkit import` (metadata and purpose: commands.ts). */
export async function runImport(args: CliArgs, io: CliIo): Promise<number> {
  const fhir = stringFlag(args, 'fhir');
  const csv = stringFlag(args, 'csv');
  if ((fhir === undefined) === (csv === undefined))
    throw new CliError('give one of --fhir FILE or --csv FILE', EXIT_USAGE);
  const encoding = encodingOf(args);
  const partial = args.values.partial === true;
  const file = resolve((fhir ?? csv)!);
  let parsed: ParsedPatients;
  try {
    const bytes = await readImportFile(file);
    parsed = fhir !== undefined ? fhirPatients(bytes) : csvPatients(bytes, encoding);
  } catch (err) {
    if (err instanceof ImportFileError) throw new CliError(`${err.message}; nothing was imported`, 1);
    throw err;
  }
  const access = await resolveStoreAccess(args, io);
  const store = await openStoreForCli(access, 'cli-import', false);
  try {
    const report = await importPatientList(parsed, store, { partial });
    printReport(report, partial, io);
    return report.refused.length > 0 && !report.applied ? 1 : 0;
  } catch (err) {
    if (isStoreError(err, 'conflict'))
      throw new CliError(
        `the store changed while the list was checked (${err.message}); nothing was imported, run it again`,
        1,
      );
    if (isStoreError(err)) throw new CliError(`import failed: ${err.message}; nothing was imported`, 1);
    throw err;
  } finally {
    await store.close();
  }
}
