import type {
  AttachmentRecord,
  ConsultationRecord,
  ObservationRecord,
  PatientRecord,
  ReadOptions,
} from '../../../store/index.ts';
import type { LinkRecordSource } from './link-answers.ts';
import type { VisitFinder } from './select-visits.ts';

/**
 * The part of the record store an export reads (RecordStore implements it). Narrow on purpose:
 * the exporter only reads, and tests can see at a glance what it touches.
 */
export interface ExportSource extends VisitFinder, LinkRecordSource {
  readonly publicIdentity: { readonly signing: Uint8Array };
  getPatient(id: string): Promise<PatientRecord>;
  observationsByVisit(visitId: string, options?: ReadOptions): Promise<ObservationRecord[]>;
  attachmentsByVisit(visitId: string, options?: ReadOptions): Promise<AttachmentRecord[]>;
  consultationsByVisit(visitId: string, options?: ReadOptions): Promise<ConsultationRecord[]>;
  readBlob(id: string): AsyncIterable<Uint8Array>;
  /**
   * Unmaps the store file's pages this process has read (RecordStore: closes and reopens LMDB);
   * called every {@link ExportOptions.releaseMapEvery} visits when given.
   */
  releaseMappedPages?(): Promise<void>;
}
