import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { BrigadeFileError, loadBrigade, type Brigade } from '../fhir/export/brigade.ts';
import { ExportError } from '../fhir/export/bundle-writer.ts';
import { CLI_RELEASE_MAP_EVERY, exportFhir, type ExportSummary } from '../fhir/export/export-fhir.ts';
import { ProgressBar } from '../fhir/export/progress-bar.ts';
import type { VisitSelection } from '../fhir/export/select-visits.ts';
import { PROFILES, profileByName } from '../fhir/profiles/index.ts';
import { CliError, EXIT_USAGE, stringFlag, type CliArgs, type CliIo } from './command.ts';
import { openStoreForCli } from './open-store.ts';
import { resolveStoreAccess } from './store-access.ts';
import { fullGc } from './full-gc.ts';

const INSTANT = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** The one visit selection the flags name (exactly one of --visit, --shift, --since). */
export function selectionOf(args: CliArgs): VisitSelection {
  const visit = stringFlag(args, 'visit');
  const shift = stringFlag(args, 'shift');
  const since = stringFlag(args, 'since');
  const given = [visit, shift, since].filter((v) => v !== undefined).length;
  if (given !== 1)
    throw new CliError('give exactly one of --visit ID, --shift DATE, --since TIME', EXIT_USAGE);
  if (visit !== undefined) return { by: 'visit', id: visit };
  if (shift !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(shift))
      throw new CliError(`--shift wants YYYY-MM-DD, got '${shift}'`, EXIT_USAGE);
    return { by: 'shift', date: shift };
  }
  const from = INSTANT.test(since ?? '') ? new Date(since!.replace(' ', 'T')) : new Date(Number.NaN);
  if (Number.isNaN(from.getTime()))
    throw new CliError(`--since wants an ISO 8601 time (2026-11-22T08:00+03:00), got '${since}'`, EXIT_USAGE);
  return { by: 'since', from };
}

function stdoutWritable(io: CliIo): NodeJS.WritableStream {
  if (io.stdoutStream) return io.stdoutStream;
  const decoder = new StringDecoder('utf8');
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      io.stdout(decoder.write(chunk));
      done();
    },
  });
}

async function brigadeOf(args: CliArgs, io: CliIo): Promise<Brigade | undefined> {
  const path = stringFlag(args, 'brigade') ?? io.env.FIELDKIT_BRIGADE;
  if (path === undefined || path === '') return undefined;
  try {
    return await loadBrigade(resolve(path));
  } catch (err) {
    if (err instanceof BrigadeFileError) throw new CliError(err.message, 1);
    throw err;
  }
}

function report(summary: ExportSummary, target: string, io: CliIo): number {
  const kinds = Object.entries(summary.resources)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  io.stderr(
    `exported ${summary.visits} visit(s), ${summary.entries} resources (${kinds || 'none'}) to ${target}\n`,
  );
  if (summary.skippedAttachments > 0)
    io.stderr(
      `note: ${summary.skippedAttachments} waveform attachment(s) not exported (a format this build does not know)\n`,
    );
  if (summary.damaged.length === 0) return 0;
  io.stderr(
    `WARNING: ${summary.damaged.length} record(s) could not be read and are NOT in the export: ${summary.damaged.join(', ')} (run fieldkit check)\n`,
  );
  return 1;
}

/** The implementation of `fieldkit export` (metadata and purpose: commands.ts). */
export async function runExport(args: CliArgs, io: CliIo): Promise<number> {
  if (args.values.fhir !== true)
    throw new CliError('say which format: --fhir (the only one so far)', EXIT_USAGE);
  const selection = selectionOf(args);
  const profileName = stringFlag(args, 'profile') ?? 'ru-core';
  const profile = profileByName(profileName);
  if (!profile)
    throw new CliError(
      `unknown --profile '${profileName}' (have: ${PROFILES.map((p) => p.name).join(', ')})`,
      EXIT_USAGE,
    );
  const brigade = await brigadeOf(args, io);
  const outFlag = stringFlag(args, 'out');
  const access = await resolveStoreAccess(args, io);
  const store = await openStoreForCli(access, 'cli-export', false);
  const file = outFlag === undefined ? undefined : resolve(outFlag);
  const partial = file === undefined ? undefined : `${file}.partial-${process.pid}`;
  const out = partial === undefined ? stdoutWritable(io) : createWriteStream(partial, { flags: 'wx' });
  const bar = new ProgressBar(io.stderr, 'export', io.stderrIsTTY === true);
  try {
    const summary = await exportFhir(store, selection, out as Writable, {
      profile,
      ...(brigade ? { brigade } : {}),
      onProgress: (done, total) => bar.update(done, total),
      // This process does nothing else: the store file's pages can be let go as the export reads on.
      releaseMapEvery: CLI_RELEASE_MAP_EVERY,
      collectGarbage: fullGc,
      signal: io.stopSignal,
    });
    bar.finish();
    if (partial !== undefined && file !== undefined) {
      (out as Writable).end();
      await finished(out as Writable);
      await rename(partial, file);
    }
    return report(summary, file ?? 'stdout', io);
  } catch (err) {
    bar.finish();
    if (partial !== undefined) {
      (out as Writable).destroy();
      await rm(partial, { force: true });
    }
    if (err instanceof ExportError)
      throw new CliError(`export failed: ${err.message}; nothing was written`, 1);
    if (io.stopSignal.aborted) throw new CliError('export stopped; nothing was written', 130);
    throw err;
  } finally {
    await store.close();
  }
}
