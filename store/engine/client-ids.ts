import type { StoreContext } from './context.ts';
import { lookupPostings } from './postings.ts';
import type { WriteTx } from './write-tx.ts';

/**
 * Client ids claimed earlier in the same transaction: postings are written when it finishes, so
 * two resends of one request batched into one commit would not see each other in the index.
 * Keyed by the transaction, so a replayed batch (a new WriteTx) starts clean.
 */
const claimedInTx = new WeakMap<WriteTx, Map<string, Buffer>>();

/**
 * The record a client id already made in a table (by its blind term), looked up inside the
 * write transaction; undefined when this is the first time the id is seen.
 */
export function recordOfClientId(
  ctx: StoreContext,
  tx: WriteTx,
  tag: string,
  clientId: string,
): Buffer | undefined {
  const pending = claimedInTx.get(tx)?.get(`${tag}\u0000${clientId}`);
  if (pending) return pending;
  return lookupPostings(ctx.dbs.index, tx.blind(tag, clientId))[0];
}

/** Indexes `key` as the record this client id made (call last in the operation). */
export function claimClientId(tx: WriteTx, tag: string, clientId: string, key: Buffer): void {
  tx.index(tx.blind(tag, clientId), key);
  rememberClientId(tx, tag, clientId, key);
}

/**
 * Notes within the transaction that this client id made `key`, for a table whose declared terms
 * (store/tables/blind-index.ts) already index the client id from the body.
 */
export function rememberClientId(tx: WriteTx, tag: string, clientId: string, key: Buffer): void {
  let claimed = claimedInTx.get(tx);
  if (!claimed) {
    claimed = new Map();
    claimedInTx.set(tx, claimed);
  }
  claimed.set(`${tag}\u0000${clientId}`, key);
}

/** Outside a transaction: the record a client id made, if any (a cheap pre-check before uploads). */
export function lookupClientId(ctx: StoreContext, tag: string, clientId: string): Buffer | undefined {
  return lookupPostings(ctx.dbs.index, ctx.keyring.blind(tag, clientId))[0];
}
