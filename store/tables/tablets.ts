import type { z } from 'zod';
import type { StoreContext } from '../engine/context.ts';
import { auditRead, readMany, readRecord, requireRecord } from '../engine/reads.ts';
import { StoreError } from '../errors.ts';
import { idOf, keyOfId } from '../engine/ids.ts';
import { lookupPostings } from '../engine/postings.ts';
import type { TabletBody, TabletRecord } from '../schema/tablet.ts';
import { PairingCodeInput } from '../schema/tablet.ts';
import type { WriteTx } from '../engine/write-tx.ts';
import { BLIND_TAGS } from './blind-index.ts';

const T = 'tablets';
const PREFIX = 't';
const TAGS = BLIND_TAGS.tablets;
type Body = z.output<typeof TabletBody>;

/** Digits of a pairing code: short enough to type, and guessing is rate-limited by the server. */
export const PAIRING_CODE_DIGITS = 8;
/** Bearer tokens: a prefix (so a leaked one is recognisable) and 256 random bits, base64url. */
const TOKEN_PREFIX = 'fkt_';
const TOKEN_BYTES = 32;

/** Why a pairing code was not accepted; the server answers all of them alike (401). */
export type RedeemFailure = 'unknown_code' | 'expired' | 'already_used';

function shape(key: Buffer, body: Body): TabletRecord {
  const { codeHash: _c, tokenHash: _t, ...rest } = body;
  return { ...rest, id: idOf(PREFIX, key) };
}

function hashHex(ctx: StoreContext, secret: string): string {
  return Buffer.from(ctx.keyring.backend.hash(Buffer.from(secret, 'utf8'), 32)).toString('hex');
}

/** Uniform decimal digits from the store's CSPRNG (rejection sampling: no modulo bias). */
function randomDigits(ctx: StoreContext, n: number): string {
  let out = '';
  while (out.length < n) {
    const bytes = ctx.keyring.backend.randomBytes(4);
    const v = Buffer.from(bytes).readUInt32BE(0);
    if (v >= 4_000_000_000) continue;
    out += String(v % 1_000_000_000).padStart(9, '0');
  }
  return out.slice(0, n);
}

/**
 * The one tablet a secret points to, found by its hash (the index terms of `tabletTerms`; the
 * blind term may collide, so the record's hash is re-checked).
 */
function findBySecret(
  ctx: StoreContext,
  field: 'codeHash' | 'tokenHash',
  secret: string,
): { key: Buffer; body: Body } | undefined {
  const hash = hashHex(ctx, secret);
  for (const key of lookupPostings(ctx.dbs.index, ctx.keyring.blind(TAGS[field], hash))) {
    const body = readRecord(ctx, T, key);
    if (body?.[field] === hash) return { key, body };
  }
  return undefined;
}

/**
 * Creates a one-time pairing code for a role; returns the pending tablet and the code, which is
 * shown once and stored only as a hash (its keyed blind term finds it again).
 */
export async function createPairingCode(
  ctx: StoreContext,
  input: PairingCodeInput,
): Promise<{ tablet: TabletRecord; code: string; expiresAt: string }> {
  const parsed = PairingCodeInput.safeParse(input);
  if (!parsed.success)
    throw new StoreError('invalid_record', 'Pairing code request is invalid.', { table: T });
  const v = parsed.data;
  const code = randomDigits(ctx, PAIRING_CODE_DIGITS);
  const codeHash = hashHex(ctx, code);
  return ctx.batcher.enqueue((tx) => {
    const key = tx.nextKey();
    const expiresAt = new Date(Date.parse(tx.now) + v.ttlMs).toISOString();
    const body: Body = {
      name: v.label ?? `${v.role} tablet`,
      role: v.role,
      status: 'pending',
      codeHash,
      codeExpiresAt: expiresAt,
      createdBy: v.createdBy,
      createdAt: tx.now,
    };
    tx.putRecord(T, key, body, true);
    tx.index(tx.keyring.blind(TAGS.codeHash, codeHash), key);
    const tablet = shape(key, body);
    tx.audit(ctx.actor, 'create', T, [tablet.id]);
    return { tablet, code, expiresAt };
  });
}

/**
 * Exchanges a pairing code for a bearer token, once: inside one write transaction the code is
 * checked, forgotten and the token's hash indexed, so two tablets racing with one code cannot
 * both win. The token is returned here and never again.
 */
export async function redeemPairingCode(
  ctx: StoreContext,
  code: string,
  deviceName: string | undefined,
): Promise<{ ok: true; tablet: TabletRecord; token: string } | { ok: false; reason: RedeemFailure }> {
  const token =
    TOKEN_PREFIX + Buffer.from(ctx.keyring.backend.randomBytes(TOKEN_BYTES)).toString('base64url');
  const tokenHash = hashHex(ctx, token);
  return ctx.batcher.enqueue((tx: WriteTx) => {
    const found = findBySecret(ctx, 'codeHash', code);
    if (!found) return { ok: false as const, reason: 'unknown_code' as const };
    const { key, body } = found;
    if (body.status !== 'pending') return { ok: false as const, reason: 'already_used' as const };
    if (body.codeExpiresAt === undefined || Date.parse(body.codeExpiresAt) <= Date.parse(tx.now))
      return { ok: false as const, reason: 'expired' as const };
    const { codeHash: _h, codeExpiresAt: _e, ...rest } = body;
    const next: Body = {
      ...rest,
      name: deviceName ?? body.name,
      status: 'active',
      tokenHash,
      pairedAt: tx.now,
    };
    tx.putRecord(T, key, next);
    tx.unindex(tx.keyring.blind(TAGS.codeHash, hashHex(ctx, code)), key);
    tx.index(tx.keyring.blind(TAGS.tokenHash, tokenHash), key);
    const tablet = shape(key, next);
    tx.audit(ctx.actor, 'update', T, [tablet.id]);
    return { ok: true as const, tablet, token };
  });
}

/**
 * The tablet a bearer token belongs to, active or revoked, or undefined. Called on every request:
 * one blind lookup and one decryption, read from LMDB each time so a revocation written by
 * another process counts at once. Not noted in the read audit (it reads no patient data; pairing
 * and revocation are audited as writes).
 */
export function tabletByToken(ctx: StoreContext, token: string): TabletRecord | undefined {
  const found = findBySecret(ctx, 'tokenHash', token);
  return found && found.body.status !== 'pending' ? shape(found.key, found.body) : undefined;
}

/** Every tablet, pending codes included, oldest first. */
export function listTablets(ctx: StoreContext): TabletRecord[] {
  const keys = [...ctx.dbs.tables.tablets.getKeys({})].map((k) => Buffer.from(k));
  const out = readMany(ctx, T, keys, shape);
  auditRead(
    ctx,
    T,
    out.map((t) => t.id),
  );
  return out;
}

/**
 * Revokes a tablet (or cancels a pending code): its token stops working on the next request.
 * Revoking twice returns the record unchanged.
 */
export async function revokeTablet(ctx: StoreContext, id: string): Promise<TabletRecord> {
  const key = keyOfId(PREFIX, id, T);
  return ctx.batcher.enqueue((tx) => {
    const old = requireRecord(ctx, T, key);
    if (old.status === 'revoked') return shape(key, old);
    const { codeHash: _h, codeExpiresAt: _e, ...rest } = old;
    const body: Body = { ...rest, status: 'revoked', revokedAt: tx.now };
    tx.putRecord(T, key, body);
    // A cancelled code is forgotten; a revoked token stays findable, so it is told 'revoked'.
    if (old.codeHash !== undefined) tx.unindex(tx.keyring.blind(TAGS.codeHash, old.codeHash), key);
    tx.audit(ctx.actor, 'update', T, [id]);
    return shape(key, body);
  });
}
