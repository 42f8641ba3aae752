import type { z } from 'zod';
import type { StoreContext } from '../engine/context.ts';
import { readMany } from '../engine/reads.ts';
import { StoreError } from '../errors.ts';
import { idOf } from '../engine/ids.ts';
import type { KitCredentialInput, KitCredentialRecord } from '../schema/kit-credential.ts';
import { KitCredentialBody } from '../schema/kit-credential.ts';

const T = 'kitCredentials';
const PREFIX = 'k';
type Body = z.output<typeof KitCredentialBody>;

function shape(key: Buffer, body: Body): KitCredentialRecord {
  return { ...body, id: idOf(PREFIX, key) };
}

/**
 * Saves a certificate of the kit's local CA with its private key, sealed like every record.
 * Credentials are only ever added: the newest of each kind is the one in use, older ones stay
 * (a handful of small records per year) so a renewal never destroys the credential it replaces.
 */
export async function saveKitCredential(
  ctx: StoreContext,
  input: KitCredentialInput,
): Promise<KitCredentialRecord> {
  return ctx.batcher.enqueue((tx) => {
    const parsed = KitCredentialBody.safeParse({ ...input, createdAt: tx.now });
    if (!parsed.success) throw new StoreError('invalid_record', 'Kit credential is invalid.', { table: T });
    const key = tx.nextKey();
    tx.putRecord(T, key, parsed.data, true);
    const record = shape(key, parsed.data);
    tx.audit(ctx.actor, 'create', T, [record.id]);
    return record;
  });
}

/**
 * Every kit credential, oldest first. Not noted in the read audit: they are the kit's own keys,
 * read at each start and renewal check, not personal data.
 */
export function kitCredentials(ctx: StoreContext): KitCredentialRecord[] {
  const keys = [...ctx.dbs.tables.kitCredentials.getKeys({})].map((k) => Buffer.from(k));
  return readMany(ctx, T, keys, shape);
}
