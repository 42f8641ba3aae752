/**
 * The encrypted record store's public surface: open a store, get typed errors, back it up,
 * restore it, check it. Everything else in store/ is an implementation detail behind
 * {@link RecordStore}.
 */
export { openStore } from './open-store.ts';
export { StoreError, isStoreError } from './errors.ts';
export { writeBackup } from './record-store.ts';
export type { BackupSummary } from './backup/backup.ts';
export type { BackupTrailer } from './backup/backup-format.ts';
export { DamagedBackupError, examineBackup, restoreBackup, verifyBackup } from './backup/restore.ts';
export type { BackupExamination, RestoreOptions, RestoreSummary } from './backup/restore.ts';
export { resetPassphraseWithRecovery } from './keys/key-admin.ts';
export { acquireKitLock, describeKitHolder, kitLockHolder, KIT_PID_FILE } from './kit-lock.ts';
export type { KitLock, KitPidInfo } from './kit-lock.ts';
export { DamageReport } from './integrity/damage.ts';
export type { DamagedRecord, OnDamaged } from './integrity/damage.ts';
export type { StoreCheck, TableCheck } from './integrity/check.ts';
export type { AuditEntry, AuditVerdict } from './audit/audit-log.ts';
export type { StoreErrorCode } from './errors.ts';
export type { BackgroundErrorHandler, RecordStore } from './record-store.ts';
export type { LinkEntry, LinkTx } from './tables/link-records.ts';
export type { LinkRecordBody } from './schema/link-record.ts';
export type { OutboxItem, OutboxInput, OutboxPriority } from './schema/outbox-item.ts';
export type { StoreOptionsInput as StoreOptions } from './options.ts';
export type { ReadOptions } from './engine/context.ts';
export type { RotationProgress } from './keys/rotation.ts';
export type {
  ObservationInput,
  ObservationRecord,
  ObservationValue,
  ObservationCode,
  Provenance,
  DataAbsentReason,
} from './schema/observation.ts';
export type { PatientInput, PatientRecord, PatientDocument } from './schema/patient.ts';
export type { VisitInput, VisitRecord } from './schema/visit.ts';
export type { VisitEntryInput, VisitEntryRecord, VisitEntryKind } from './schema/visit-entry.ts';
export { ClientId, MAX_ENTRY_TEXT } from './schema/visit-entry.ts';
export type { ConsultationInput, ConsultationRecord, ConsultationUrgency } from './schema/consultation.ts';
export type { AttachmentInput, AttachmentRecord, AttachmentKind } from './schema/attachment.ts';
export type { JournalWrite } from './tables/visit-journal.ts';
export type { ConsultationWrite } from './tables/consultations.ts';
export { CONSULTATION_OUTBOX_KIND, consultationOfOutbox } from './tables/consultations.ts';
export type { TabletRecord, TabletRole, PairingCodeInput } from './schema/tablet.ts';
export type { KitCredentialInput, KitCredentialRecord, CredentialKind } from './schema/kit-credential.ts';
export type { RedeemFailure } from './tables/tablets.ts';
export type { PatientImportOp, PatientImportResult } from './tables/patient-import.ts';
export type { InstrumentInput, InstrumentPatch, InstrumentRecord } from './schema/instrument.ts';
