import type { StoreErrorCode } from '../errors.ts';
import { StoreError } from '../errors.ts';

/**
 * The codes that mean "this stored record cannot be read" (as opposed to a missing record, a
 * closed store or bad input): a failed tag, a truncated envelope or bad CBOR, a schema version
 * this build does not know, a body that does not match its schema, a blob missing a chunk.
 */
export const DAMAGE_CODES: ReadonlySet<StoreErrorCode> = new Set<StoreErrorCode>([
  'integrity',
  'corrupt_record',
  'unknown_schema',
  'invalid_record',
  'blob_incomplete',
]);

/** True for an error that names a stored record that cannot be read. */
export function isDamage(error: unknown): error is StoreError {
  return error instanceof StoreError && DAMAGE_CODES.has(error.code) && error.recordId !== undefined;
}

/** One record that could not be read: which table, which id, and why (a StoreError code). */
export interface DamagedRecord {
  readonly table: string;
  readonly id: string;
  readonly code: StoreErrorCode;
}

/** Callback of list reads for each record that is skipped because it cannot be read. */
export type OnDamaged = (error: StoreError) => void;

/** The damaged-record view of an error that {@link isDamage} accepted. */
export function damagedRecord(error: StoreError): DamagedRecord {
  return { table: error.table ?? '?', id: error.recordId ?? '?', code: error.code };
}

/**
 * What one list read met: pass it as the read's options, then show `count` and `ids` beside the
 * records (the tablet warns that some readings cannot be shown). A list read never fails for a
 * damaged record: it returns every readable one and reports the rest here.
 */
export class DamageReport {
  readonly records: DamagedRecord[] = [];

  /** The {@link OnDamaged} callback that fills this report. */
  readonly onDamaged: OnDamaged = (error) => {
    this.records.push(damagedRecord(error));
  };

  /** How many records were skipped. */
  get count(): number {
    return this.records.length;
  }

  /** Their ids, in the order met. */
  get ids(): string[] {
    return this.records.map((r) => r.id);
  }
}

/** Distinct damaged records remembered per process; beyond this, notes only raise the count. */
const MAX_REMEMBERED = 10_000;

/**
 * Every damaged record met by any read since the store was opened, whether or not that read's
 * caller asked for a report: damage is never only skipped. `RecordStore.damaged` shows it.
 */
export class DamageLog {
  readonly #records = new Map<string, DamagedRecord>();
  #overflow = 0;

  /** Notes a damaged record (once per id). */
  note(error: StoreError): void {
    const record = damagedRecord(error);
    const key = `${record.table}/${record.id}`;
    if (this.#records.has(key)) return;
    if (this.#records.size < MAX_REMEMBERED) this.#records.set(key, record);
    else this.#overflow += 1;
  }

  /** Distinct damaged records met so far. */
  get count(): number {
    return this.#records.size + this.#overflow;
  }

  /** The damaged records met so far (the first 10,000). */
  get records(): DamagedRecord[] {
    return [...this.#records.values()];
  }
}
