/** Every way the store refuses, as a code callers can branch on (the CLI prints the message). */
export type StoreErrorCode =
  | 'wrong_passphrase'
  | 'no_store'
  | 'already_exists'
  | 'corrupt_header'
  | 'integrity'
  | 'corrupt_record'
  | 'unknown_schema'
  | 'invalid_record'
  | 'invalid_options'
  | 'not_found'
  | 'locked'
  | 'blob_incomplete'
  | 'backup_invalid'
  | 'backup_damaged'
  | 'write_failed'
  | 'in_use';

/** Where an error happened, when it concerns one record. */
export interface StoreErrorDetail {
  table?: string;
  recordId?: string;
  cause?: unknown;
}

/**
 * The store's one error type: a wrong key, a tampered byte and a missing record are different
 * situations the caller must handle differently, never a generic crash. Messages are one English
 * line, never containing secrets or record contents.
 */
export class StoreError extends Error {
  readonly code: StoreErrorCode;
  readonly table: string | undefined;
  readonly recordId: string | undefined;

  constructor(code: StoreErrorCode, message: string, detail: StoreErrorDetail = {}) {
    super(message, detail.cause === undefined ? undefined : { cause: detail.cause });
    this.name = 'StoreError';
    this.code = code;
    this.table = detail.table;
    this.recordId = detail.recordId;
  }
}

/** Narrowing helper for callers that branch on a code. */
export function isStoreError(error: unknown, code?: StoreErrorCode): error is StoreError {
  return error instanceof StoreError && (code === undefined || error.code === code);
}
