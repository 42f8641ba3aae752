/**
 * What a codec reading becomes before the kit files it: FHIR-ready (LOINC code, UCUM unit, MDC
 * code where paired, effective time, status). It carries no patient or visit: the runtime's
 * pipeline adds those and the provenance, then the store validates the whole record.
 */

/** FHIR dataAbsentReason codes used for IEEE-11073 special values and masked data. */
export type AbsentReason =
  'not-a-number' | 'positive-infinity' | 'negative-infinity' | 'error' | 'masked' | 'unknown';

/** A value as FHIR `valueQuantity`, or the reason there is none. */
export type DraftValue =
  | { readonly kind: 'quantity'; readonly value: number; readonly precision: number; readonly unit: string }
  | { readonly kind: 'absent'; readonly reason: AbsentReason };

/** LOINC (required) plus the paired IEEE 11073 MDC code. */
export interface DraftCode {
  readonly loinc: string;
  readonly display: string;
  readonly mdc?: number;
}

/** One observation ready for the pipeline. */
export interface ObservationDraft {
  readonly code: DraftCode;
  readonly value: DraftValue | null;
  readonly components: ReadonlyArray<{ readonly code: DraftCode; readonly value: DraftValue }>;
  readonly status: 'final' | 'preliminary';
  readonly category: 'vital-signs' | 'laboratory';
  /** ISO-8601 instant with offset. */
  readonly effectiveAt: string;
  /** Measurement site as the instrument named it (HTS Temperature Type, e.g. `rectum`), when known. */
  readonly bodySite?: string;
}

/** What a mapper needs beyond the decoded value: the collector clock and the device clock offset. */
export interface ObserveContext {
  /** When the kit received the bytes. */
  readonly receivedAt: Date;
  /** The kit's UTC offset in minutes, to turn device wall-clock times into instants. */
  readonly utcOffsetMinutes: number;
  /** kit_now - device_now measured at connection (0 when unknown). */
  readonly deviceClockOffsetMs: number;
}
