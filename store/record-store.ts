import type { KeyHeader } from '../crypto/key-header.ts';
import type { PublicIdentity } from '../crypto/identity.ts';
import { forgetChainKey } from './audit/audit-chain.ts';
import type { ReadOptions, StoreContext } from './engine/context.ts';
import { StoreError } from './errors.ts';
import * as audit from './audit/audit-log.ts';
import { writeBackup } from './backup/backup.ts';
import * as blobs from './tables/attachments.ts';
import type { AttachmentInput, AttachmentRecord } from './schema/attachment.ts';
import type { AuditVerdict } from './audit/audit-log.ts';
import * as obs from './tables/observations.ts';
import * as outbox from './tables/outbox.ts';
import * as patients from './tables/patients.ts';
import type { ObservationInput, ObservationRecord } from './schema/observation.ts';
import type { OutboxInput, OutboxItem } from './schema/outbox-item.ts';
import type { PatientInput, PatientRecord } from './schema/patient.ts';
import type { VisitInput, VisitRecord } from './schema/visit.ts';
import * as journal from './tables/visit-journal.ts';
import type { JournalWrite } from './tables/visit-journal.ts';
import * as consultations from './tables/consultations.ts';
import type { ConsultationWrite } from './tables/consultations.ts';
import type { ConsultationInput, ConsultationRecord } from './schema/consultation.ts';
import type { VisitEntryInput, VisitEntryRecord } from './schema/visit-entry.ts';
import * as visits from './tables/visits.ts';
import * as keyAdmin from './keys/key-admin.ts';
import * as rotation from './keys/rotation.ts';
import type { RotationProgress } from './keys/rotation.ts';
import type { KdfParams } from '../crypto/kdf.ts';

/**
 * The kit's encrypted record store: one object per open data directory. Every method that
 * writes resolves only after the LMDB commit is durable; every method that reads decrypts and
 * verifies, and throws a {@link StoreError} naming the record when a byte was altered.
 */
export class RecordStore {
  readonly #ctx: StoreContext;
  #header: KeyHeader;
  #closed = false;
  #background: Promise<unknown> | undefined;

  constructor(ctx: StoreContext, header: KeyHeader) {
    this.#ctx = ctx;
    this.#header = header;
  }

  /** The context, for sibling modules in store/ (blobs, outbox, backup). Not for callers. */
  get context(): StoreContext {
    this.#assertOpen();
    return this.#ctx;
  }

  /** The data directory this store lives in. */
  get path(): string {
    return this.#ctx.dir;
  }

  /** The key header as last written (public keys are readable without unlocking). */
  get header(): KeyHeader {
    return this.#header;
  }

  /** Replaces the in-memory header after a sibling module rewrote the key file. */
  setHeader(header: KeyHeader): void {
    this.#header = header;
  }

  /** The kit's public identity (Ed25519 signing, X25519 sealing). */
  get publicIdentity(): PublicIdentity {
    return this.#header.publicKeys;
  }

  /** Write transactions committed by this process (lets tests see batching). */
  get commitCount(): number {
    return this.#ctx.batcher.commits;
  }

  /** The error every call on a closed or locked store gets; undefined while it is open. */
  #closedError(): StoreError | undefined {
    return this.#closed || !this.#ctx.keyring.isUnlocked
      ? new StoreError('locked', 'The store is closed.')
      : undefined;
  }

  #assertOpen(): void {
    const error = this.#closedError();
    if (error) throw error;
  }

  /** Stores observations; resolves with their ids and commit time once durable. */
  addObservations(inputs: ObservationInput[]): Promise<ObservationRecord[]> {
    // Not async: called once per reading, so no wrapper promise on top of the store's own.
    const closed = this.#closedError();
    return closed ? Promise.reject(closed) : obs.addObservations(this.#ctx, inputs);
  }

  /** One observation, or a `not_found` StoreError. */
  async getObservation(id: string): Promise<ObservationRecord> {
    this.#assertOpen();
    return Promise.resolve(obs.getObservation(this.#ctx, id));
  }

  /** Newest observations first. */
  async recentObservations(limit: number, options?: ReadOptions): Promise<ObservationRecord[]> {
    this.#assertOpen();
    return Promise.resolve(obs.recentObservations(this.#ctx, limit, options));
  }

  /** Observations of a visit in recording order. */
  async observationsByVisit(visitId: string, options?: ReadOptions): Promise<ObservationRecord[]> {
    this.#assertOpen();
    return Promise.resolve(obs.observationsByVisit(this.#ctx, visitId, options));
  }

  /** Observations of a patient in recording order. */
  async observationsByPatient(patientId: string, options?: ReadOptions): Promise<ObservationRecord[]> {
    this.#assertOpen();
    return Promise.resolve(obs.observationsByPatient(this.#ctx, patientId, options));
  }

  /** Observations whose effective time is in [from, to) (at most 31 days). */
  async observationsBetween(from: Date, to: Date, options?: ReadOptions): Promise<ObservationRecord[]> {
    this.#assertOpen();
    return Promise.resolve(obs.observationsBetween(this.#ctx, from, to, options));
  }

  /** Adds a patient (name prefixes and document numbers indexed blind); once per client id. */
  async addPatient(input: PatientInput, clientId?: string): Promise<PatientRecord> {
    this.#assertOpen();
    return patients.addPatient(this.#ctx, input, clientId);
  }

  /** Replaces a patient's fields, keeping id and creation time. */
  async updatePatient(id: string, input: PatientInput): Promise<PatientRecord> {
    this.#assertOpen();
    return patients.updatePatient(this.#ctx, id, input);
  }

  /** One patient, or a `not_found` StoreError. */
  async getPatient(id: string): Promise<PatientRecord> {
    this.#assertOpen();
    return Promise.resolve(patients.getPatient(this.#ctx, id));
  }

  /** Patients whose name words start with the given prefix (two letters or more). */
  async findPatientsByNamePrefix(prefix: string, options?: ReadOptions): Promise<PatientRecord[]> {
    this.#assertOpen();
    return Promise.resolve(patients.findPatientsByNamePrefix(this.#ctx, prefix, options));
  }

  /** The patient with a document number, if any. */
  async findPatientByDocument(number: string): Promise<PatientRecord | undefined> {
    this.#assertOpen();
    return Promise.resolve(patients.findPatientByDocument(this.#ctx, number));
  }

  /** Opens a visit for a patient (or an anonymous one); once per client id. */
  async openVisit(input: VisitInput, clientId?: string): Promise<VisitRecord> {
    this.#assertOpen();
    return visits.openVisit(this.#ctx, input, clientId);
  }

  /** Closes a visit. */
  async closeVisit(id: string): Promise<VisitRecord> {
    this.#assertOpen();
    return visits.closeVisit(this.#ctx, id);
  }

  /** One visit, or `not_found`. */
  async getVisit(id: string): Promise<VisitRecord> {
    this.#assertOpen();
    return Promise.resolve(visits.getVisit(this.#ctx, id));
  }

  /** Visits of a patient, oldest first. */
  async visitsByPatient(patientId: string, options?: ReadOptions): Promise<VisitRecord[]> {
    this.#assertOpen();
    return Promise.resolve(visits.visitsByPatient(this.#ctx, patientId, options));
  }

  /**
   * Appends to a visit's journal (complaints, notes, kept readings, manual entries with their
   * observation, attachments) in one commit, once per client id.
   */
  async addVisitEntry(input: VisitEntryInput, observation?: ObservationInput): Promise<JournalWrite> {
    this.#assertOpen();
    return journal.addVisitEntry(this.#ctx, input, observation);
  }

  /** A visit's journal, oldest first. */
  async visitEntries(visitId: string, options?: ReadOptions): Promise<VisitEntryRecord[]> {
    this.#assertOpen();
    return Promise.resolve(journal.visitEntries(this.#ctx, visitId, options));
  }

  /** Stores a consultation request and queues it on the outbox in one commit, once per client id. */
  async createConsultation(input: ConsultationInput): Promise<ConsultationWrite> {
    this.#assertOpen();
    return consultations.createConsultation(this.#ctx, input);
  }

  /** One consultation request, or `not_found`. */
  async getConsultation(id: string): Promise<ConsultationRecord> {
    this.#assertOpen();
    return Promise.resolve(consultations.getConsultation(this.#ctx, id));
  }

  /** A visit's consultation requests, oldest first. */
  async consultationsByVisit(visitId: string, options?: ReadOptions): Promise<ConsultationRecord[]> {
    this.#assertOpen();
    return Promise.resolve(consultations.consultationsByVisit(this.#ctx, visitId, options));
  }

  /** A pending outbox item, or null once the link acknowledged it. */
  async outboxItem(id: string): Promise<OutboxItem | null> {
    this.#assertOpen();
    return Promise.resolve(outbox.readOutboxById(this.#ctx, id));
  }

  /** Queues an item for the link (idempotent by content while pending). */
  async enqueueOutbox(input: OutboxInput): Promise<OutboxItem> {
    this.#assertOpen();
    return outbox.enqueueOutbox(this.#ctx, input);
  }

  /** Pending outbox items in send order (priority, then age). */
  async peekOutbox(limit?: number): Promise<OutboxItem[]> {
    this.#assertOpen();
    return Promise.resolve(outbox.peekOutbox(this.#ctx, limit));
  }

  /** Pending outbox item count. */
  async outboxSize(): Promise<number> {
    this.#assertOpen();
    return Promise.resolve(outbox.outboxSize(this.#ctx));
  }

  /** Removes an acknowledged item; true only for the call that removed it. */
  async ackOutbox(id: string): Promise<boolean> {
    this.#assertOpen();
    return outbox.ackOutbox(this.#ctx, id);
  }

  /** Stores a blob streamed from `source` (chunked, sealed, waveforms compressed); once per client id. */
  async putBlob(
    meta: AttachmentInput,
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    clientId?: string,
  ): Promise<AttachmentRecord> {
    this.#assertOpen();
    return blobs.putBlob(this.#ctx, meta, source, clientId);
  }

  /** Streams a blob's plaintext back; missing or altered chunks are typed errors. */
  readBlob(id: string): AsyncGenerator<Uint8Array> {
    this.#assertOpen();
    return blobs.readBlob(this.#ctx, id);
  }

  /** An attachment's metadata. */
  async getAttachment(id: string): Promise<AttachmentRecord> {
    this.#assertOpen();
    return Promise.resolve(blobs.getAttachment(this.#ctx, id));
  }

  /** Attachments of a visit. */
  async attachmentsByVisit(visitId: string, options?: ReadOptions): Promise<AttachmentRecord[]> {
    this.#assertOpen();
    return Promise.resolve(blobs.attachmentsByVisit(this.#ctx, visitId, options));
  }

  /** Checks the audit hash chain; names the first broken link. */
  async verifyAudit(): Promise<AuditVerdict> {
    this.#assertOpen();
    await this.#ctx.batcher.drain();
    return audit.verifyAudit(this.#ctx);
  }

  /** Audit entries from a sequence number on. */
  async readAudit(from?: number, limit?: number) {
    this.#assertOpen();
    await this.#ctx.batcher.drain();
    return audit.readAudit(this.#ctx, from, limit);
  }

  /** Changes the passphrase (rewraps the master key; records untouched). */
  async changePassphrase(passphrase: string, kdf?: KdfParams): Promise<void> {
    this.#assertOpen();
    return keyAdmin.changePassphrase(this, passphrase, kdf);
  }

  /** Creates a recovery key and returns it for printing, once. */
  async createRecoveryKey(): Promise<string> {
    this.#assertOpen();
    return keyAdmin.createRecoveryKey(this);
  }

  /** Rotates the data key and re-encrypts every record (resumable if interrupted). */
  async rotateDataKey(onProgress?: (p: RotationProgress) => void): Promise<void> {
    this.#assertOpen();
    const task = rotation.rotateDataKey(this, onProgress);
    this.#background = task;
    return task;
  }

  /** Writes an encrypted backup while the store stays in use. */
  async backup(file: string) {
    this.#assertOpen();
    return writeBackup(this, file);
  }

  /** Resolves when background work (a resumed rotation) has finished or stopped. */
  async whenIdle(): Promise<void> {
    await this.#background?.catch(() => undefined);
  }

  /** Resumes an interrupted key rotation in the background (called on open). */
  resumeRotationInBackground(): void {
    this.#background = rotation.finishRotation(this).catch(() => {
      // Left for the next open: the header still holds every epoch in use.
    });
  }

  /**
   * Waits for pending writes to be durable, closes LMDB and erases every key from memory.
   * Safe to call twice.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#background) await this.#background.catch(() => undefined);
    await this.#ctx.batcher.drain();
    await this.#ctx.dbs.env.close();
    forgetChainKey(this.#ctx.keyring);
    this.#ctx.blinds.clear();
    this.#ctx.keys.clear();
    this.#ctx.keyring.lock();
  }
}
