import { KEY_BYTES } from '../../crypto/backend.ts';
import { withBundle } from '../../crypto/key-header.ts';
import type { KeyBundle } from '../../crypto/key-bundle.ts';
import type { BinDb } from '../engine/db.ts';
import type { StoreContext } from '../engine/context.ts';
import { envelopeEpoch, openPlain, sealPlain } from '../engine/record-seal.ts';
import { isDamage } from '../integrity/damage.ts';
import { ALL_TABLES } from '../tables.ts';
import type { TableName } from '../tables.ts';

/** Records re-encrypted per transaction: small enough not to delay live writes noticeably. */
const BATCH = 500;

/** Progress of a rotation, for a status line. */
export interface RotationProgress {
  epoch: number;
  resealed: number;
  done: boolean;
}

function commitBundle(ctx: StoreContext, bundle: KeyBundle): void {
  ctx.keyFile.replace(withBundle(ctx.keyring.backend, ctx.keyFile.header, ctx.keyring.unlocked, bundle));
  ctx.keyring.replaceBundle(bundle);
}

async function resealDb(
  ctx: StoreContext,
  db: BinDb,
  table: string,
  onBatch: (n: number) => void,
): Promise<void> {
  let start: Buffer | undefined;
  for (;;) {
    const current = ctx.keyring.currentEpoch;
    const page = [...db.getRange({ ...(start ? { start } : {}), limit: BATCH })].map((e) => ({
      key: Buffer.from(e.key),
      value: e.value,
    }));
    if (page.length === 0) return;
    const stale = page.filter((e) => envelopeEpoch(e.value) !== current);
    if (stale.length > 0)
      await ctx.batcher.enqueue(() => {
        for (const { key } of stale) {
          // Re-read inside the transaction: a live write may have replaced it meanwhile.
          const value = db.get(key);
          if (!value || envelopeEpoch(value) === current) continue;
          let opened;
          try {
            opened = openPlain(ctx.keyring, table, key, value, key.toString('hex'));
          } catch (error) {
            // A record that no longer opens cannot be re-sealed: it stays as it is (damaged either
            // way, and named by `fieldkit check`) instead of blocking the rotation for good.
            if (isDamage(error)) {
              ctx.damage.note(error);
              continue;
            }
            throw error;
          }
          db.putSync(key, sealPlain(ctx.keyring, table, key, opened.version, opened.plain));
        }
      });
    onBatch(stale.length);
    const last = page[page.length - 1];
    if (!last || page.length < BATCH) return;
    start = Buffer.concat([last.key, Buffer.from([0])]);
  }
}

/**
 * Re-encrypts every record and blob chunk sealed under an older data key, then retires the old
 * keys. Safe to interrupt at any point: the header keeps every epoch still in use, each record
 * names its epoch, and the next open resumes here.
 */
export async function finishRotation(
  ctx: StoreContext,
  onProgress?: (p: RotationProgress) => void,
): Promise<void> {
  let resealed = 0;
  const report = (n: number) => {
    resealed += n;
    onProgress?.({ epoch: ctx.keyring.currentEpoch, resealed, done: false });
  };
  for (const def of ALL_TABLES) await resealDb(ctx, ctx.dbs.tables[def.name as TableName], def.name, report);
  await resealDb(ctx, ctx.dbs.chunks, 'blob-chunk', report);
  // Readings sealed under an old key before the rotation began may still be queued: they are
  // re-sealed as their transaction runs (WriteTx.putSealed), which needs the old key until then.
  await ctx.batcher.enqueue(() => undefined);
  const bundle = ctx.keyring.bundle;
  commitBundle(ctx, { ...bundle, deks: bundle.deks.filter((d) => d.epoch === bundle.currentEpoch) });
  await ctx.batcher.enqueue((tx) => tx.audit(ctx.actor, 'rotate', 'store', [`epoch-${bundle.currentEpoch}`]));
  onProgress?.({ epoch: bundle.currentEpoch, resealed, done: true });
}

/**
 * Starts a data-key rotation: a new key becomes current at once (new writes use it) and the old
 * records are re-encrypted by {@link finishRotation}.
 */
export async function rotateDataKey(
  ctx: StoreContext,
  onProgress?: (p: RotationProgress) => void,
): Promise<void> {
  beginRotation(ctx);
  await finishRotation(ctx, onProgress);
}

/** First half of a rotation: the new key is current and saved; old records still use old keys. */
export function beginRotation(ctx: StoreContext): void {
  const bundle = ctx.keyring.bundle;
  const epoch = Math.max(...bundle.deks.map((d) => d.epoch)) + 1;
  commitBundle(ctx, {
    ...bundle,
    deks: [...bundle.deks, { epoch, key: ctx.keyring.backend.randomBytes(KEY_BYTES) }],
    currentEpoch: epoch,
  });
}
