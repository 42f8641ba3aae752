import type { VisitRecord } from '../../../store/index.ts';
import { ExportError } from './bundle-writer.ts';

/** Which visits an export holds. */
export type VisitSelection =
  | { readonly by: 'visit'; readonly id: string }
  /** A shift: visits opened on that calendar day in the kit's local time zone. */
  | { readonly by: 'shift'; readonly date: string }
  /** Visits opened at or after the instant. */
  | { readonly by: 'since'; readonly from: Date };

/** The part of the store that finds visits. */
export interface VisitFinder {
  getVisit(id: string): Promise<VisitRecord>;
  visitsOpenedBetween(from?: Date, to?: Date): Promise<VisitRecord[]>;
  /** The same scan a page at a time, as ids (RecordStore has it; a finder without it is read whole). */
  visitIdsOpenedBetween?(
    from: Date | undefined,
    to: Date | undefined,
    page: { readonly after?: string | undefined; readonly limit: number },
  ): Promise<{ readonly ids: readonly string[]; readonly next: string | undefined }>;
}

/** Visit records scanned per page by {@link selectVisitIds}. */
const SELECT_PAGE = 512;

/** The local day [start, next start) of a `YYYY-MM-DD` date; a bad date is a typed refusal. */
export function localDay(date: string): { from: Date; to: Date } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new ExportError('bad_selection', `--shift wants a date as YYYY-MM-DD, got '${date}'`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
  const from = new Date(y, mo, d);
  if (from.getFullYear() !== y || from.getMonth() !== mo || from.getDate() !== d)
    throw new ExportError('bad_selection', `--shift: ${date} is not a calendar date`);
  return { from, to: new Date(y, mo, d + 1) };
}

/** The visits a selection names, oldest first; an unknown visit id is `not_found`. */
export async function selectVisits(finder: VisitFinder, selection: VisitSelection): Promise<VisitRecord[]> {
  switch (selection.by) {
    case 'visit':
      try {
        return [await finder.getVisit(selection.id)];
      } catch (err) {
        if ((err as { code?: string }).code === 'not_found')
          throw new ExportError('not_found', `no visit ${selection.id}`, { cause: err });
        throw err;
      }
    case 'shift': {
      const { from, to } = localDay(selection.date);
      return finder.visitsOpenedBetween(from, to);
    }
    case 'since':
      return finder.visitsOpenedBetween(selection.from, undefined);
  }
}

/**
 * The ids of the visits a selection names, oldest first, without holding their records: a scan
 * is read a page at a time (`afterPage` runs between pages: the export lets the store's mapped
 * pages go there). An unknown visit id is `not_found`.
 */
export async function selectVisitIds(
  finder: VisitFinder,
  selection: VisitSelection,
  afterPage: () => Promise<void> = async () => {},
): Promise<string[]> {
  if (selection.by === 'visit' || !finder.visitIdsOpenedBetween)
    return (await selectVisits(finder, selection)).map((v) => v.id);
  const { from, to } =
    selection.by === 'shift' ? localDay(selection.date) : { from: selection.from, to: undefined };
  const ids: string[] = [];
  let after: string | undefined;
  do {
    const page = await finder.visitIdsOpenedBetween(from, to, { after, limit: SELECT_PAGE });
    ids.push(...page.ids);
    after = page.next;
    await afterPage();
  } while (after !== undefined);
  return ids;
}
