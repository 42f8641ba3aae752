import type { KdfParams } from '../crypto/kdf.ts';
import type { KeyHeader } from '../crypto/key-header.ts';
import type { PublicIdentity } from '../crypto/identity.ts';
import * as audit from './audit/audit-log.ts';
import type { AuditEntry, AuditVerdict } from './audit/audit-log.ts';
import * as backup from './backup/backup.ts';
import type { BackupSummary } from './backup/backup.ts';
import type { ReadOptions, StoreContext } from './engine/context.ts';
import { closeContext } from './engine/open-context.ts';
import { releaseMappedPages } from './engine/release-map.ts';
import { StoreError } from './errors.ts';
import { checkStore } from './integrity/check.ts';
import type { StoreCheck } from './integrity/check.ts';
import type { DamagedRecord } from './integrity/damage.ts';
import * as keyAdmin from './keys/key-admin.ts';
import * as rotation from './keys/rotation.ts';
import type { RotationProgress } from './keys/rotation.ts';
import type { AttachmentInput, AttachmentRecord } from './schema/attachment.ts';
import type { InstrumentInput, InstrumentPatch, InstrumentRecord } from './schema/instrument.ts';
import type { LinkRecordBody } from './schema/link-record.ts';
import type { ObservationInput, ObservationRecord } from './schema/observation.ts';
import type { OutboxInput, OutboxItem } from './schema/outbox-item.ts';
import type { PatientInput, PatientRecord } from './schema/patient.ts';
import type { VisitInput, VisitRecord } from './schema/visit.ts';
import * as attachments from './tables/attachments.ts';
import * as instruments from './tables/instruments.ts';
import * as link from './tables/link-records.ts';
import type { LinkEntry, LinkTx } from './tables/link-records.ts';
import * as obs from './tables/observations.ts';
import * as outbox from './tables/outbox.ts';
import * as patients from './tables/patients.ts';
import * as patientImport from './tables/patient-import.ts';
import type { PatientImportOp, PatientImportResult } from './tables/patient-import.ts';
import * as journal from './tables/visit-journal.ts';
import type { JournalWrite } from './tables/visit-journal.ts';
import * as consultations from './tables/consultations.ts';
import type { ConsultationWrite } from './tables/consultations.ts';
import type { ConsultationInput, ConsultationRecord } from './schema/consultation.ts';
import type { VisitEntryInput, VisitEntryRecord } from './schema/visit-entry.ts';
import * as visits from './tables/visits.ts';
import * as tablets from './tables/tablets.ts';
import * as credentials from './tables/kit-credentials.ts';
import type { PairingCodeInput, TabletRecord } from './schema/tablet.ts';
import type { KitCredentialInput, KitCredentialRecord } from './schema/kit-credential.ts';

/** Called when background work fails: the error (its `cause` set) and what was being done. */
export type BackgroundErrorHandler = (error: Error, work: string) => void;

const contexts = new WeakMap<RecordStore, StoreContext>();

/**
 * The context behind an open store, for store/ internals and tests that must reach under the
 * API (tamper with a record, inject a fault). Not exported from store/index.ts.
 */
export function contextOf(store: RecordStore): StoreContext {
  const ctx = contexts.get(store);
  if (!ctx) throw new StoreError('locked', 'Not an open store.');
  return ctx;
}

function logToStderr(error: Error, work: string): void {
  const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
  process.stderr.write(`fieldkit store: ${work} failed: ${error.message}${cause}\n`);
}

/**
 * The kit's encrypted record store: one object per open data directory. Every method that
 * writes resolves only after the LMDB commit is durable; every method that reads decrypts and
 * verifies. A read of one record throws a {@link StoreError} naming it when a byte was altered;
 * a list returns every readable record and reports the damaged ones (see `ReadOptions`).
 *
 * The object only checks that the store is open and forwards: the work is done by functions of
 * the store context in store/tables/, store/keys/, store/backup/ and store/integrity/.
 */
export class RecordStore {
  readonly #ctx: StoreContext;
  readonly #onBackgroundError: BackgroundErrorHandler;
  #closed = false;
  #background: Promise<unknown> | undefined;

  constructor(ctx: StoreContext, onBackgroundError: BackgroundErrorHandler = logToStderr) {
    this.#ctx = ctx;
    this.#onBackgroundError = onBackgroundError;
    contexts.set(this, ctx);
  }

  /** The data directory this store lives in. */
  get path(): string {
    return this.#ctx.dir;
  }

  /** The key header as last written (public keys are readable without unlocking). */
  get header(): KeyHeader {
    return this.#ctx.keyFile.header;
  }

  /** The kit's public identity (Ed25519 signing, X25519 sealing). */
  get publicIdentity(): PublicIdentity {
    return this.#ctx.keyFile.header.publicKeys;
  }

  /** Write transactions committed by this process (lets tests see batching). */
  get commitCount(): number {
    return this.#ctx.batcher.commits;
  }

  /** Data keys in use (more than one while a rotation is unfinished). */
  get keyEpochs(): number {
    return this.#ctx.keyring.epochs.length;
  }

  /**
   * Every damaged record that any read of this process met since the store was opened, whether
   * or not that read asked for a report (the first 10,000 are listed).
   */
  get damaged(): { count: number; records: DamagedRecord[] } {
    return { count: this.#ctx.damage.count, records: this.#ctx.damage.records };
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

  /**
   * Applies a patient-list import in one commit: every creation and update, or none (a patient
   * changed since it was read, or a document already held by another, is a `conflict`).
   */
  async importPatients(ops: readonly PatientImportOp[]): Promise<PatientImportResult> {
    this.#assertOpen();
    return patientImport.importPatients(this.#ctx, ops);
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

  /**
   * The patient with a document number, if any. When no readable patient has it but a candidate
   * record is damaged, throws that record's StoreError: "no such patient" would be a guess.
   */
  async findPatientByDocument(number: string, options?: ReadOptions): Promise<PatientRecord | undefined> {
    this.#assertOpen();
    return Promise.resolve(patients.findPatientByDocument(this.#ctx, number, options));
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

  /** Visits opened in [from, to) (either bound optional), in creation order (a table scan). */
  async visitsOpenedBetween(from?: Date, to?: Date, options?: ReadOptions): Promise<VisitRecord[]> {
    this.#assertOpen();
    return Promise.resolve(visits.visitsOpenedBetween(this.#ctx, from, to, options));
  }

  /**
   * One page of the visits opened in [from, to), as ids: up to `limit` visit records scanned after
   * the visit `after` (the table scan of {@link visitsOpenedBetween}, a page at a time).
   */
  async visitIdsOpenedBetween(
    from: Date | undefined,
    to: Date | undefined,
    page: { readonly after?: string | undefined; readonly limit: number },
    options?: ReadOptions,
  ): Promise<visits.VisitIdPage> {
    this.#assertOpen();
    return Promise.resolve(visits.visitIdsOpenedBetween(this.#ctx, from, to, page, options));
  }

  /** Visits of a patient, oldest first. */
  async visitsByPatient(patientId: string, options?: ReadOptions): Promise<VisitRecord[]> {
    this.#assertOpen();
    return Promise.resolve(visits.visitsByPatient(this.#ctx, patientId, options));
  }

  /** Remembers an instrument by transport address (an address already known is updated). */
  async rememberInstrument(input: InstrumentInput): Promise<InstrumentRecord> {
    this.#assertOpen();
    return instruments.rememberInstrument(this.#ctx, input);
  }

  /** Updates a remembered instrument's bookkeeping (last seen, battery, last sequence...). */
  async updateInstrument(id: string, patch: InstrumentPatch): Promise<InstrumentRecord> {
    this.#assertOpen();
    return instruments.updateInstrument(this.#ctx, id, patch);
  }

  /** One remembered instrument, or `not_found`. */
  async getInstrument(id: string): Promise<InstrumentRecord> {
    this.#assertOpen();
    return Promise.resolve(instruments.getInstrument(this.#ctx, id));
  }

  /** Every remembered instrument, oldest first. */
  async listInstruments(options?: ReadOptions): Promise<InstrumentRecord[]> {
    this.#assertOpen();
    return Promise.resolve(instruments.listInstruments(this.#ctx, options));
  }

  /** Forgets an instrument; true only for the call that removed it. */
  async forgetInstrument(id: string): Promise<boolean> {
    this.#assertOpen();
    return instruments.forgetInstrument(this.#ctx, id);
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

  /** Pending outbox items in send order (priority, then age); damaged items are reported, skipped. */
  async peekOutbox(limit?: number, options?: ReadOptions): Promise<OutboxItem[]> {
    this.#assertOpen();
    return Promise.resolve(outbox.peekOutbox(this.#ctx, limit, options));
  }

  /** One outbox item, or `not_found`. */
  async getOutboxItem(id: string): Promise<OutboxItem> {
    this.#assertOpen();
    return Promise.resolve(outbox.getOutboxItem(this.#ctx, id));
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

  /** One link-layer record by key (outbox progress, delivery states, received objects, mailbox). */
  async linkGet(key: string): Promise<LinkRecordBody | undefined> {
    this.#assertOpen();
    return Promise.resolve(link.getLinkRecord(this.#ctx, key));
  }

  /** Link records whose key starts with `prefix`, in key order, from key `from` if given. */
  async linkScan(prefix: string, limit?: number, from?: string): Promise<LinkEntry[]> {
    this.#assertOpen();
    return Promise.resolve(link.scanLinkRecords(this.#ctx, prefix, limit, from));
  }

  /** Number of link records under a prefix (no decryption). */
  async linkCount(prefix: string): Promise<number> {
    this.#assertOpen();
    return Promise.resolve(link.countLinkRecords(this.#ctx, prefix));
  }

  /**
   * Reads and changes link records atomically in the next write transaction; resolves with
   * `fn`'s result once durable. `fn` is synchronous; if it throws nothing of it is written.
   */
  async linkTransaction<R>(fn: (tx: LinkTx) => R): Promise<R> {
    this.#assertOpen();
    return link.linkTransaction(this.#ctx, fn);
  }

  /** Signs with the kit's Ed25519 identity key (envelopes, receipts); the secret never leaves the keyring. */
  async signAsKit(message: Uint8Array): Promise<Uint8Array> {
    this.#assertOpen();
    return this.#ctx.keyring.sign(message);
  }

  /** Opens a sealed box addressed to the kit's X25519 key (an envelope's content key); null if not ours. */
  async openSealedToKit(sealed: Uint8Array): Promise<Uint8Array | null> {
    this.#assertOpen();
    return this.#ctx.keyring.openSealed(sealed);
  }

  /** Stores a blob streamed from `source` (chunked, sealed, waveforms compressed). */
  /** Stores a blob streamed from `source` (chunked, sealed, waveforms compressed); once per client id. */
  async putBlob(
    meta: AttachmentInput,
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    clientId?: string,
  ): Promise<AttachmentRecord> {
    this.#assertOpen();
    return attachments.putBlob(this.#ctx, meta, source, clientId);
  }

  /** Streams a blob's plaintext back; missing or altered chunks are typed errors. */
  readBlob(id: string): AsyncGenerator<Uint8Array> {
    this.#assertOpen();
    return attachments.readBlob(this.#ctx, id);
  }

  /** An attachment's metadata, or `not_found`. */
  async getAttachment(id: string): Promise<AttachmentRecord> {
    this.#assertOpen();
    return Promise.resolve(attachments.getAttachment(this.#ctx, id));
  }

  /** Attachments of a visit. */
  async attachmentsByVisit(visitId: string, options?: ReadOptions): Promise<AttachmentRecord[]> {
    this.#assertOpen();
    return Promise.resolve(attachments.attachmentsByVisit(this.#ctx, visitId, options));
  }

  /** A one-time pairing code for a tablet of a role (shown once; stored hashed). */
  async createPairingCode(
    input: PairingCodeInput,
  ): Promise<{ tablet: TabletRecord; code: string; expiresAt: string }> {
    this.#assertOpen();
    return tablets.createPairingCode(this.#ctx, input);
  }

  /** Exchanges a pairing code for a bearer token, once (the token is returned only here). */
  async redeemPairingCode(code: string, deviceName?: string) {
    this.#assertOpen();
    return tablets.redeemPairingCode(this.#ctx, code, deviceName);
  }

  /** The tablet a bearer token belongs to (active or revoked), read afresh from LMDB. */
  tabletByToken(token: string): TabletRecord | undefined {
    this.#assertOpen();
    return tablets.tabletByToken(this.#ctx, token);
  }

  /** Every tablet and pending pairing code, oldest first. */
  async listTablets(): Promise<TabletRecord[]> {
    this.#assertOpen();
    return Promise.resolve(tablets.listTablets(this.#ctx));
  }

  /** Revokes a tablet (its token stops working on the next request) or cancels a pending code. */
  async revokeTablet(id: string): Promise<TabletRecord> {
    this.#assertOpen();
    return tablets.revokeTablet(this.#ctx, id);
  }

  /** Saves a certificate of the kit's local CA with its private key (sealed like every record). */
  async saveKitCredential(input: KitCredentialInput): Promise<KitCredentialRecord> {
    this.#assertOpen();
    return credentials.saveKitCredential(this.#ctx, input);
  }

  /** The kit's CA credentials, oldest first (the newest of each kind is in use). */
  async kitCredentials(): Promise<KitCredentialRecord[]> {
    this.#assertOpen();
    return Promise.resolve(credentials.kitCredentials(this.#ctx));
  }

  /** Checks the audit hash chain; names the first broken link. */
  async verifyAudit(): Promise<AuditVerdict> {
    this.#assertOpen();
    await this.#ctx.batcher.drain();
    return audit.verifyAudit(this.#ctx);
  }

  /** Audit entries from a sequence number on (reading the log is itself audited). */
  async readAudit(from?: number, limit?: number): Promise<AuditEntry[]> {
    this.#assertOpen();
    await this.#ctx.batcher.drain();
    return audit.readAudit(this.#ctx, from, limit);
  }

  /**
   * Scans the whole store: every record opens, every posting points to a record, every blob has
   * all its chunks, the audit chain holds. Reports per table; changes nothing.
   */
  async check(): Promise<StoreCheck> {
    this.#assertOpen();
    await this.#ctx.batcher.drain();
    return checkStore(this.#ctx);
  }

  /** Changes the passphrase (rewraps the master key; records untouched). */
  async changePassphrase(passphrase: string, kdf?: KdfParams): Promise<void> {
    this.#assertOpen();
    return keyAdmin.changePassphrase(this.#ctx, passphrase, kdf);
  }

  /** Creates a recovery key and returns it for printing, once. */
  async createRecoveryKey(): Promise<string> {
    this.#assertOpen();
    return keyAdmin.createRecoveryKey(this.#ctx);
  }

  /** Rotates the data key and re-encrypts every record (resumable if interrupted). */
  async rotateDataKey(onProgress?: (p: RotationProgress) => void): Promise<void> {
    this.#assertOpen();
    const task = rotation.rotateDataKey(this.#ctx, onProgress);
    this.#background = task;
    return task;
  }

  /**
   * Writes an encrypted backup while the store stays in use, and reports the records it found
   * damaged (they are copied as they are, and named in the backup's trailer).
   */
  async backup(file: string): Promise<BackupSummary> {
    this.#assertOpen();
    return backup.writeBackup(this.#ctx, file);
  }

  /**
   * Lets go of the store file's pages this process has mapped (closes and reopens LMDB once no
   * write is running): a long read of the whole store, such as an export, calls it now and then so
   * the file it has read does not stay in its RSS. Waits for background work first. Meant for a
   * process that reads the store in one flow (the CLI): an LMDB iterator held across the call by
   * other code in the process would be closed under it.
   */
  async releaseMappedPages(): Promise<void> {
    this.#assertOpen();
    await this.whenIdle();
    await releaseMappedPages(this.#ctx);
  }

  /** Resolves when background work (a resumed rotation) has finished or stopped. */
  async whenIdle(): Promise<void> {
    await this.#background?.catch(() => undefined);
  }

  /**
   * Resumes an interrupted key rotation in the background (called on open). A failure is handed
   * to the store's background-error handler with its cause; the header still holds every epoch
   * in use, so the next open tries again.
   */
  resumeRotationInBackground(): void {
    this.#background = rotation.finishRotation(this.#ctx).catch((cause: unknown) => {
      const error = new StoreError(
        'write_failed',
        `The interrupted key rotation could not be finished; it will be retried on the next open (${cause instanceof Error ? cause.message : String(cause)}).`,
        { cause },
      );
      try {
        this.#onBackgroundError(error, 'key rotation');
      } catch {
        logToStderr(error, 'key rotation');
      }
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
    await closeContext(this.#ctx);
  }
}

/**
 * Writes an encrypted backup of an open store: the same as `store.backup(file)`, kept for
 * callers of the earlier API.
 */
export async function writeBackup(store: RecordStore, file: string): Promise<BackupSummary> {
  return store.backup(file);
}
