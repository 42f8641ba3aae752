import type { z } from 'zod';
import type { ReadOptions, StoreContext } from '../engine/context.ts';
import { idOf, keyOfId } from '../engine/ids.ts';
import { lookupPostings } from '../engine/postings.ts';
import { auditedList, getById, readMany, readRecord, requireRecord } from '../engine/reads.ts';
import { StoreError } from '../errors.ts';
import type { InstrumentBody, InstrumentRecord } from '../schema/instrument.ts';
import { InstrumentInput, InstrumentPatch } from '../schema/instrument.ts';
import { TABLES } from '../tables.ts';
import { BLIND_TAGS, instrumentAddressValue } from './blind-index.ts';

const T = 'instruments';
const PREFIX = TABLES.instruments.prefix;
const TAGS = BLIND_TAGS.instruments;
type Body = z.output<typeof InstrumentBody>;

function shape(key: Buffer, body: Body): InstrumentRecord {
  return { ...body, id: idOf(PREFIX, key) };
}

function invalid(what: string, error: z.ZodError): StoreError {
  const fields = error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
  return new StoreError('invalid_record', `${what} is invalid: ${fields}.`, { table: T });
}

/**
 * Remembers an instrument, keyed by its transport address (blind-indexed). Remembering an
 * address already known updates its identity fields and keeps its bookkeeping (last sequence
 * number, fingerprints), so re-pairing never re-downloads a meter's whole memory. Callers
 * remember one address at a time: two calls for one new address in the same commit would both
 * create (the manager serialises them).
 */
export async function rememberInstrument(
  ctx: StoreContext,
  input: InstrumentInput,
): Promise<InstrumentRecord> {
  const parsed = InstrumentInput.safeParse(input);
  if (!parsed.success) throw invalid('Instrument', parsed.error);
  const v = parsed.data;
  return ctx.batcher.enqueue((tx) => {
    const term = tx.blind(TAGS.address, instrumentAddressValue(v.transport, v.address));
    for (const raw of lookupPostings(ctx.dbs.index, term)) {
      const key = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
      const old = readRecord(ctx, T, key);
      if (!old) continue;
      // Identity fields the caller did not know (null) keep what was read before.
      const body: Body = {
        ...old,
        name: v.name,
        profile: v.profile,
        bonded: v.bonded,
        manufacturer: v.manufacturer ?? old.manufacturer,
        model: v.model ?? old.model,
        serial: v.serial ?? old.serial,
        firmware: v.firmware ?? old.firmware,
      };
      tx.putRecord(T, key, body);
      const record = shape(key, body);
      tx.audit(ctx.actor, 'update', T, [record.id]);
      return record;
    }
    const key = tx.nextKey();
    const body: Body = {
      ...v,
      rememberedAt: tx.now,
      lastSeenAt: null,
      battery: null,
      lastSequence: null,
      recentReadings: [],
      clockOffsetMs: null,
    };
    tx.putRecord(T, key, body, true);
    tx.index(term, key);
    const record = shape(key, body);
    tx.audit(ctx.actor, 'create', T, [record.id]);
    return record;
  });
}

/** Applies a patch (last seen, battery, last sequence number...) to a remembered instrument. */
export async function updateInstrument(
  ctx: StoreContext,
  id: string,
  patch: InstrumentPatch,
): Promise<InstrumentRecord> {
  const key = keyOfId(PREFIX, id, T);
  const parsed = InstrumentPatch.safeParse(patch);
  if (!parsed.success) throw invalid('Instrument update', parsed.error);
  return ctx.batcher.enqueue((tx) => {
    const old = requireRecord(ctx, T, key);
    const body: Body = { ...old, ...parsed.data };
    tx.putRecord(T, key, body);
    tx.audit(ctx.actor, 'update', T, [id]);
    return shape(key, body);
  });
}

/** One remembered instrument, or `not_found`. */
export function getInstrument(ctx: StoreContext, id: string): InstrumentRecord {
  return getById(ctx, T, id, shape);
}

/**
 * Every remembered instrument, oldest first (a kit remembers tens, not thousands). A damaged
 * record is skipped and reported to `options.onDamaged`: the others are still listed.
 */
export function listInstruments(ctx: StoreContext, options?: ReadOptions): InstrumentRecord[] {
  return auditedList(ctx, T, readMany(ctx, T, ctx.dbs.tables.instruments.getKeys(), shape, options));
}

/** Forgets an instrument: true if this call removed it, false if it was already gone. */
export async function forgetInstrument(ctx: StoreContext, id: string): Promise<boolean> {
  const key = keyOfId(PREFIX, id, T);
  return ctx.batcher.enqueue((tx) => {
    const body = readRecord(ctx, T, key);
    if (!body) return false;
    ctx.dbs.tables.instruments.removeSync(key);
    tx.unindex(tx.blind(TAGS.address, instrumentAddressValue(body.transport, body.address)), key);
    tx.audit(ctx.actor, 'delete', T, [id]);
    return true;
  });
}
