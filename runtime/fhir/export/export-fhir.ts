import type { Writable } from 'node:stream';
import { isStoreError } from '../../../store/index.ts';
import type { BundleEntry } from '../fhir-types.ts';
import type { IdentifierProfile } from '../profiles/identifier-profile.ts';
import type { Brigade } from './brigade.ts';
import { BundleWriter } from './bundle-writer.ts';
import { KIND, type MapContext } from './context.ts';
import { createEntry } from './entries.ts';
import type { ExportSource } from './export-source.ts';
import { toOrganization } from './mappers/organization.ts';
import { toPractitioner } from './mappers/practitioner.ts';
import { toPractitionerRole } from './mappers/practitioner-role.ts';
import { LinkAnswers } from './link-answers.ts';
import { KitNames } from './refs.ts';
import { selectVisitIds, type VisitSelection } from './select-visits.ts';
import { visitEntries, type ExportState } from './visit-entries.ts';

/** How an export is made. */
export interface ExportOptions {
  readonly profile: IdentifierProfile;
  /** The brigade roster (Practitioner, PractitionerRole, Organization); none without it. */
  readonly brigade?: Brigade;
  /** Called after each visit with visits done and the total. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Stops between entries (the bundle is then incomplete: the caller removes it). */
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
  /**
   * Every this many visits (and once after the selection), the source lets go of the store
   * file's pages the export has mapped, so a long export's RSS does not grow with the store it
   * reads (see ExportSource.releaseMappedPages). For a process that does nothing but the export
   * (the CLI); unset, pages are never released (a kit serving tablets exports one visit).
   */
  readonly releaseMapEvery?: number;
  /**
   * Called after each release: a process that only exports (the CLI) passes a full GC, so that
   * dead visits do not accumulate in V8's old generation between its own collections.
   */
  readonly collectGarbage?: () => void;
}

/** The {@link ExportOptions.releaseMapEvery} the CLI uses (bench export: peak RSS at 1k and 10k visits). */
export const CLI_RELEASE_MAP_EVERY = 64;

/** What an export wrote. */
export interface ExportSummary {
  readonly visits: number;
  readonly entries: number;
  readonly bytes: number;
  /** Entries per resource type. */
  readonly resources: Readonly<Record<string, number>>;
  /** Ids of records skipped because they could not be read (damaged on disk). */
  readonly damaged: readonly string[];
  /** Attachments not exported by this build (waveform blobs of a format it does not know). */
  readonly skippedAttachments: number;
  /** Specialists' answers found for no visit (their consultation's readings are unknown here). */
  readonly answersWithoutVisit: number;
}

function brigadeEntries(brigade: Brigade, ctx: MapContext): BundleEntry[] {
  const out: BundleEntry[] = [];
  const withOrg = brigade.organization !== undefined;
  if (brigade.organization)
    out.push(
      createEntry(
        ctx.names.fullUrl(KIND.organization, 'brigade'),
        toOrganization(brigade.organization, ctx),
        ctx.names.identifier(KIND.organization, 'brigade'),
      ),
    );
  for (const m of brigade.members) {
    out.push(
      createEntry(
        ctx.names.fullUrl(KIND.practitioner, m.id),
        toPractitioner(m, ctx),
        ctx.names.identifier(KIND.practitioner, m.id),
      ),
      createEntry(
        ctx.names.fullUrl(KIND.practitionerRole, m.id),
        toPractitionerRole(m, ctx, withOrg),
        ctx.names.identifier(KIND.practitionerRole, m.id),
      ),
    );
  }
  return out;
}

/**
 * Writes the selected visits as one FHIR R4 transaction Bundle to `out`, streaming: one visit's
 * records are read, mapped and written before the next is read, so memory does not grow with the
 * number of visits. Patients and instruments shared by visits are written once.
 */
export async function exportFhir(
  source: ExportSource,
  selection: VisitSelection,
  out: Writable,
  options: ExportOptions,
): Promise<ExportSummary> {
  // Only the ids are kept across the export; each visit is read again when its turn comes, so
  // what the export holds does not grow with the number of visits selected.
  const release = options.releaseMapEvery;
  const releaseMap = async (): Promise<void> => {
    if (release === undefined || release <= 0) return;
    await source.releaseMappedPages?.();
    options.collectGarbage?.();
  };
  // The selection scans the visits table a page at a time, letting its pages go in between.
  const visits = await selectVisitIds(source, selection, releaseMap);
  const ctx: MapContext = { names: new KitNames(source.publicIdentity.signing), profile: options.profile };
  const state: ExportState = {
    patients: new Set(),
    devices: new Set(),
    damaged: [],
    skippedAttachments: 0,
    links: await LinkAnswers.build(source),
  };
  await releaseMap();
  const resources: Record<string, number> = {};
  const writer = new BundleWriter(out);
  const count = (e: BundleEntry): void => {
    resources[e.resource.resourceType] = (resources[e.resource.resourceType] ?? 0) + 1;
  };
  await writer.begin((options.now?.() ?? new Date()).toISOString());
  if (options.brigade)
    for (const e of brigadeEntries(options.brigade, ctx)) {
      await writer.add(e);
      count(e);
    }
  let done = 0;
  for (const id of visits) {
    let visit;
    try {
      visit = await source.getVisit(id);
    } catch (error) {
      // Damaged since it was selected: left out and named, like every unreadable record.
      if (!isStoreError(error)) throw error;
      state.damaged.push(id);
      done++;
      options.onProgress?.(done, visits.length);
      continue;
    }
    for await (const pending of visitEntries(visit, source, ctx, state, options.brigade)) {
      options.signal?.throwIfAborted();
      await writer.add(pending.entry, pending.blob);
      count(pending.entry);
    }
    // Counted apart from the call: `f?.(++done)` skips its arguments when there is no `f`.
    done++;
    options.onProgress?.(done, visits.length);
    if (release !== undefined && release > 0 && done % release === 0) await releaseMap();
    // A turn of the event loop between visits: the store's background commits (the read audit
    // of this export among them) run during a long export instead of after it, garbage is
    // collected at a steady level, and a stop request or the progress bar is never starved.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await writer.end();
  return {
    visits: visits.length,
    entries: writer.entries,
    bytes: writer.bytes,
    resources,
    damaged: state.damaged,
    skippedAttachments: state.skippedAttachments,
    answersWithoutVisit: state.links.unplaced,
  };
}
