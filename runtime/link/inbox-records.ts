import { createHash } from 'node:crypto';
import { z } from 'zod';
import { parseSignedItem } from '../../crypto/signed-item.ts';
import type { LinkKv, LinkTx } from './link-kv.ts';
import type { Verdict } from './verify-item.ts';

/** A received item as kept in the store (verified or not: a bad one is kept and shown unverified). */
export interface InboxEntry {
  readonly envelopeId: string;
  readonly itemId: string;
  readonly kind: string;
  readonly from: string;
  readonly to: string;
  readonly priority: number;
  /** When the sender signed it (its clock). */
  readonly sentAt: string;
  readonly receivedAt: string;
  readonly ref?: string;
  readonly media?: string;
  readonly body: Uint8Array;
  /** The exact signed bytes and signature, to verify again offline at any time. */
  readonly signed: Uint8Array;
  readonly signature: Uint8Array;
  /** The envelope's clear header (`re`: the consultation a reply answers, as the hub saw it). */
  readonly header: { readonly to: string; readonly pri: number; readonly re?: string };
  readonly verdict: Verdict;
}

/**
 * Signed bytes up to this size stay inside the entry's record. A record is read back only up to
 * the store's 1 MiB (MAX_RECORD_BYTES), and an inline entry holds the body twice (as `body` and
 * inside `signed`), so a 0.5 MB photo kept inline could be written but never read again.
 */
export const INLINE_SIGNED_BYTES = 128 * 1024;
/** Bytes per piece record of a larger item's signed bytes (well under the record limit). */
export const PIECE_BYTES = 256 * 1024;
/** Largest received item kept (the envelope limit bounds it earlier; this guards the records). */
const MAX_SIGNED_BYTES = 64 * 1024 * 1024;

const entryKey = (envelopeId: string) => `rx/${envelopeId}`;
const piecesPrefix = (envelopeId: string) => `rs/${envelopeId}/`;
const pieceKey = (envelopeId: string, index: number) =>
  `${piecesPrefix(envelopeId)}${index.toString(16).padStart(4, '0')}`;

const Bytes = z.instanceof(Uint8Array);
/** The entry record: every field but the bytes, which are inline or in pieces (`stored`). */
const StoredEntry = z.object({
  envelopeId: z.string().regex(/^[0-9a-f]{64}$/),
  itemId: z.string().max(128),
  kind: z.string().max(64),
  from: z.string().max(128),
  to: z.string().max(128),
  priority: z.number().int(),
  sentAt: z.string().max(64),
  receivedAt: z.string().max(64),
  ref: z.string().max(128).optional(),
  media: z.string().max(128).optional(),
  signature: Bytes,
  header: z.object({
    to: z.string().max(128),
    pri: z.number().int(),
    re: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
  }),
  verdict: z.object({ verified: z.boolean(), reasons: z.array(z.string()) }),
  body: Bytes.optional(),
  signed: Bytes.optional(),
  stored: z
    .object({
      size: z.number().int().positive().max(MAX_SIGNED_BYTES),
      pieces: z.number().int().positive(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    })
    .optional(),
});

/** A stored entry record that cannot be read back (damaged, missing pieces, wrong shape). */
export class InboxRecordError extends Error {
  constructor(
    readonly envelopeId: string,
    message: string,
  ) {
    super(`inbox entry ${envelopeId}: ${message}`);
    this.name = 'InboxRecordError';
  }
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** True if an entry for this envelope is stored. */
export async function hasInboxEntry(kv: LinkKv, envelopeId: string): Promise<boolean> {
  return (await kv.linkGet(entryKey(envelopeId))) !== undefined;
}

/**
 * Writes an entry inside a transaction: small items in one record, larger ones as the entry
 * record plus the signed bytes in {@link PIECE_BYTES} pieces (the body is read back out of the
 * signed bytes, so it is kept once). All of it commits together with the caller's other changes.
 */
export function putInboxEntry(tx: LinkTx, entry: InboxEntry): string {
  const { body, signed, ...rest } = entry;
  const key = entryKey(entry.envelopeId);
  if (signed.byteLength <= INLINE_SIGNED_BYTES) {
    tx.put(key, { ...rest, body, signed });
    return key;
  }
  if (signed.byteLength > MAX_SIGNED_BYTES)
    throw new InboxRecordError(entry.envelopeId, `${signed.byteLength} bytes is over the limit`);
  const pieces = Math.ceil(signed.byteLength / PIECE_BYTES);
  for (let i = 0; i < pieces; i++)
    tx.put(pieceKey(entry.envelopeId, i), { d: signed.subarray(i * PIECE_BYTES, (i + 1) * PIECE_BYTES) });
  tx.put(key, { ...rest, stored: { size: signed.byteLength, pieces, sha256: sha256(signed) } });
  return key;
}

/** Every stored entry, oldest first; a damaged one is a typed {@link InboxRecordError}. */
export async function readInboxEntries(kv: LinkKv): Promise<InboxEntry[]> {
  const out: InboxEntry[] = [];
  for (const { key, body } of await kv.linkScan('rx/')) out.push(await toEntry(kv, key.slice(3), body));
  return out.sort((a, b) => (a.receivedAt < b.receivedAt ? -1 : 1));
}

/** One stored entry, or undefined. */
export async function readInboxEntry(kv: LinkKv, envelopeId: string): Promise<InboxEntry | undefined> {
  const body = await kv.linkGet(entryKey(envelopeId));
  return body === undefined ? undefined : toEntry(kv, envelopeId, body);
}

async function toEntry(kv: LinkKv, envelopeId: string, record: unknown): Promise<InboxEntry> {
  const parsed = StoredEntry.safeParse(record);
  if (!parsed.success || parsed.data.envelopeId !== envelopeId)
    throw new InboxRecordError(envelopeId, 'the entry record has a bad shape');
  const { stored, body, signed, ...rest } = parsed.data;
  if (!stored) {
    if (!body || !signed) throw new InboxRecordError(envelopeId, 'the entry has no bytes');
    return { ...rest, body, signed };
  }
  const whole = await readPieces(kv, envelopeId, stored);
  let fields;
  try {
    fields = parseSignedItem(whole);
  } catch (error) {
    throw new InboxRecordError(envelopeId, `stored signed bytes do not parse: ${String(error)}`);
  }
  return { ...rest, body: fields.body, signed: whole };
}

async function readPieces(
  kv: LinkKv,
  envelopeId: string,
  stored: { size: number; pieces: number; sha256: string },
): Promise<Uint8Array> {
  if (stored.pieces !== Math.ceil(stored.size / PIECE_BYTES))
    throw new InboxRecordError(envelopeId, 'piece count does not match the size');
  const records = await kv.linkScan(piecesPrefix(envelopeId), stored.pieces);
  const out = new Uint8Array(stored.size);
  for (let i = 0; i < stored.pieces; i++) {
    const record = records[i];
    const d = record?.key === pieceKey(envelopeId, i) ? record.body.d : undefined;
    const length = Math.min(PIECE_BYTES, stored.size - i * PIECE_BYTES);
    if (!(d instanceof Uint8Array) || d.byteLength !== length)
      throw new InboxRecordError(envelopeId, `piece ${i} of ${stored.pieces} is missing or damaged`);
    out.set(d, i * PIECE_BYTES);
  }
  if (sha256(out) !== stored.sha256) throw new InboxRecordError(envelopeId, 'stored bytes do not hash');
  return out;
}
