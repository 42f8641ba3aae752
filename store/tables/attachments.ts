import { createHash } from 'node:crypto';
import { Readable, type Transform, pipeline } from 'node:stream';
import { createDeflateRaw, createInflateRaw } from 'node:zlib';
import type { z } from 'zod';
import { lookupClientId, recordOfClientId, rememberClientId } from '../engine/client-ids.ts';
import type { ReadOptions, StoreContext, StoreData } from '../engine/context.ts';
import { getById, readByTerm, requireRecord } from '../engine/reads.ts';
import { StoreError } from '../errors.ts';
import { isDamage } from '../integrity/damage.ts';
import { idOf, keyOfId } from '../engine/ids.ts';
import { openPlain, sealPlain } from '../engine/record-seal.ts';
import type { AttachmentBody, AttachmentRecord } from '../schema/attachment.ts';
import { AttachmentInput } from '../schema/attachment.ts';
import { TABLES } from '../tables.ts';
import { BLIND_TAGS, attachmentTerms } from './blind-index.ts';

const T = 'attachments';
const PREFIX = TABLES.attachments.prefix;
/** The AAD table name of blob chunks (they live in the `chunks` database, keyed by blob key + index). */
export const CHUNK_TABLE = 'blob-chunk';
const TAGS = BLIND_TAGS.attachments;
/** Plaintext bytes per sealed chunk: small enough to stream, large enough to amortise a commit. */
export const CHUNK_BYTES = 64 * 1024;
/** Chunks written ahead of their commit (bounds memory while streaming in). */
const CHUNKS_IN_FLIGHT = 8;
type Body = z.output<typeof AttachmentBody>;

/** The key of chunk `index` of the blob whose attachment record has key `blobKey`. */
export function chunkKey(blobKey: Buffer, index: number): Buffer {
  const key = Buffer.allocUnsafe(blobKey.byteLength + 4);
  blobKey.copy(key, 0);
  key.writeUInt32BE(index, blobKey.byteLength);
  return key;
}

/** Waveforms compress well (deflate before encryption); photos and voice are already compressed. */
function compressible(kind: Body['kind']): boolean {
  return kind === 'ecg' || kind === 'waveform';
}

/**
 * `source` through a zlib transform. With `pipeline` (not `pipe`) a failing source destroys the
 * transform with the source's error, so the reader gets that error: with `.pipe` the transform
 * never ended and a missing chunk of a waveform hung the read (and an upload whose source
 * failed hung `putBlob`).
 */
function throughZlib(source: AsyncIterable<Uint8Array>, transform: Transform): AsyncIterable<Uint8Array> {
  pipeline(Readable.from(source), transform, () => undefined);
  return transform;
}

async function* rechunk(source: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let size = 0;
  for await (const piece of source) {
    let buf = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    while (size + buf.byteLength >= CHUNK_BYTES) {
      const take = CHUNK_BYTES - size;
      pending.push(buf.subarray(0, take));
      yield Buffer.concat(pending);
      pending = [];
      size = 0;
      buf = buf.subarray(take);
    }
    if (buf.byteLength > 0) {
      pending.push(Buffer.from(buf));
      size += buf.byteLength;
    }
  }
  if (size > 0) yield Buffer.concat(pending);
}

/**
 * Stores a blob (ECG strip, photo, voice note) streamed from `source` without holding it whole:
 * cut into 64 KiB chunks, each sealed on its own (AAD binds blob and chunk index), waveforms
 * deflated first. The attachment record is written last, so a blob exists only once complete.
 * With a client id, a resent upload returns the attachment stored the first time (and its
 * source is not read, or its chunks are removed again when two copies raced).
 */
export async function putBlob(
  ctx: StoreContext,
  meta: AttachmentInput,
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  clientId?: string,
): Promise<AttachmentRecord> {
  const parsed = AttachmentInput.safeParse(meta);
  if (!parsed.success)
    throw new StoreError('invalid_record', 'Attachment metadata is invalid.', { table: T });
  const info = parsed.data;
  const already = clientId === undefined ? undefined : lookupClientId(ctx, TAGS.client, clientId);
  if (already) return { ...requireRecord(ctx, T, already), id: idOf(PREFIX, already) };
  const blobKey = await ctx.batcher.enqueue((tx) => tx.nextKey());
  const digest = createHash('sha256');
  let size = 0;
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const piece of source) {
      digest.update(piece);
      size += piece.byteLength;
      yield piece;
    }
  }
  const compression = compressible(info.kind) ? 'deflate' : 'none';
  const stream: AsyncIterable<Uint8Array> =
    compression === 'deflate' ? throughZlib(counted(), createDeflateRaw({ level: 6 })) : counted();
  let index = 0;
  let storedBytes = 0;
  const inFlight = new Set<Promise<void>>();
  try {
    for await (const chunk of rechunk(stream)) {
      const key = chunkKey(blobKey, index++);
      storedBytes += chunk.byteLength;
      const write = ctx.batcher.enqueue(() => {
        ctx.dbs.chunks.putSync(key, sealPlain(ctx.keyring, CHUNK_TABLE, key, 1, chunk));
      });
      const tracked: Promise<void> = write.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
      if (inFlight.size >= CHUNKS_IN_FLIGHT) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } catch (error) {
    // The source failed or a commit did: remove what was written so no orphan chunks remain.
    await Promise.allSettled(inFlight);
    const written = index;
    await ctx.batcher.enqueue(() => {
      for (let i = 0; i < written; i++) ctx.dbs.chunks.removeSync(chunkKey(blobKey, i));
    });
    throw error;
  }
  const chunkCount = index;
  return ctx.batcher.enqueue((tx) => {
    const prior = clientId === undefined ? undefined : recordOfClientId(ctx, tx, TAGS.client, clientId);
    if (prior) {
      for (let i = 0; i < chunkCount; i++) ctx.dbs.chunks.removeSync(chunkKey(blobKey, i));
      return { ...requireRecord(ctx, T, prior), id: idOf(PREFIX, prior) };
    }
    const body: Body = {
      ...info,
      size,
      storedBytes,
      chunkCount,
      compression,
      digest: digest.digest('hex'),
      createdAt: tx.now,
      ...(clientId === undefined ? {} : { clientId }),
    };
    tx.putRecord(T, blobKey, body);
    // Exactly the terms of attachmentTerms (blind-index.ts): the index rebuild relies on it.
    for (const [tag, value] of attachmentTerms(body)) tx.index(tx.blind(tag, value), blobKey);
    if (clientId !== undefined) rememberClientId(tx, TAGS.client, clientId, blobKey);
    const record = { ...body, id: idOf(PREFIX, blobKey) };
    tx.audit(ctx.actor, 'create', T, [record.id]);
    return record;
  });
}

function shape(key: Buffer, body: Body): AttachmentRecord {
  return { ...body, id: idOf(PREFIX, key) };
}

/** An attachment's metadata (an audited read), or `not_found`. */
export function getAttachment(ctx: StoreContext, id: string): AttachmentRecord {
  return getById(ctx, T, id, shape);
}

/** Attachments of a visit, oldest first. */
export function attachmentsByVisit(
  ctx: StoreContext,
  visitId: string,
  options?: ReadOptions,
): AttachmentRecord[] {
  return readByTerm(ctx, T, TAGS.visit, visitId, shape, options);
}

async function* sealedChunks(data: StoreData, id: string, meta: Body): AsyncGenerator<Buffer> {
  const blobKey = keyOfId(PREFIX, id, T);
  for (let i = 0; i < meta.chunkCount; i++) {
    const key = chunkKey(blobKey, i);
    const value = data.dbs.chunks.get(key);
    if (!value)
      throw new StoreError(
        'blob_incomplete',
        `Blob ${id} is incomplete: chunk ${i} of ${meta.chunkCount} is missing.`,
        { table: T, recordId: id },
      );
    let plain: Uint8Array;
    try {
      plain = openPlain(data.keyring, CHUNK_TABLE, key, value, `${id}#${i}`).plain;
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      throw new StoreError(
        error.code,
        `Blob ${id}: chunk ${i} of ${meta.chunkCount} was altered or damaged.`,
        {
          table: T,
          recordId: id,
          cause: error,
        },
      );
    }
    yield Buffer.from(plain);
    // Let other work run between chunks of a large blob.
    await new Promise((r) => setImmediate(r));
  }
}

/**
 * A blob's plaintext, streamed chunk by chunk (inflating waveforms) and ending with a digest
 * check: a missing chunk is `blob_incomplete`, an altered one `integrity`, both naming the
 * attachment. Not audited: {@link readBlob} is the audited read; the store check uses this.
 */
export async function* blobPlaintext(data: StoreData, id: string, meta: Body): AsyncGenerator<Uint8Array> {
  const digest = createHash('sha256');
  const plain: AsyncIterable<Uint8Array> =
    meta.compression === 'deflate'
      ? throughZlib(sealedChunks(data, id, meta), createInflateRaw())
      : sealedChunks(data, id, meta);
  let size = 0;
  try {
    for await (const piece of plain) {
      digest.update(piece);
      size += piece.byteLength;
      yield piece;
    }
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError('integrity', `Blob ${id} does not decompress.`, {
      table: T,
      recordId: id,
      cause: error,
    });
  }
  if (size !== meta.size || digest.digest('hex') !== meta.digest)
    throw new StoreError('integrity', `Blob ${id} does not match its digest.`, { table: T, recordId: id });
}

/**
 * Streams a blob's plaintext back (an audited read of its attachment record). A missing chunk is
 * `blob_incomplete`, an altered one `integrity`, both naming the blob (and noted as damage).
 */
export async function* readBlob(ctx: StoreContext, id: string): AsyncGenerator<Uint8Array> {
  const meta = getById(ctx, T, id, shape);
  try {
    yield* blobPlaintext(ctx, id, meta);
  } catch (error) {
    if (isDamage(error)) ctx.damage.note(error);
    throw error;
  }
}
