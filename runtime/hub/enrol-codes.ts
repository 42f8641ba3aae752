import { createHash, randomInt } from 'node:crypto';
import { z } from 'zod';
import { LinkAddress } from '../../crypto/signed-item.ts';
import type { LinkKv } from '../link/link-kv.ts';

const P = 'enc/';
/** Letters and digits that cannot be misread for each other (no 0/O, 1/I/L). */
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
/** Characters of a code: 12 of 31 is about 59 bits, single-use, and expiring. */
export const ENROL_CODE_LENGTH = 12;
/** How long a code is valid unless told otherwise (a day: the specialist enrols that day). */
export const ENROL_CODE_TTL_MS = 24 * 3600_000;

/** A one-time code as kept by the hub: only its hash, the identity it enrols, and its expiry. */
const StoredCode = z.object({
  identity: LinkAddress,
  role: z.enum(['kit', 'specialist', 'coordinator']),
  expiresAt: z.number().int(),
  usedAt: z.number().int().optional(),
  usedBy: z.string().optional(),
});

/** The shape a typed code has (dashes and case ignored). */
export const EnrolCodeText = z
  .string()
  .max(40)
  .transform((s) => s.replace(/[\s-]/g, '').toUpperCase())
  .pipe(
    z
      .string()
      .length(ENROL_CODE_LENGTH)
      .regex(new RegExp(`^[${ALPHABET}]+$`)),
  );

const keyOf = (normalised: string) => `${P}${createHash('sha256').update(normalised).digest('hex')}`;

/**
 * One-time enrolment codes (`fieldkit hub enroll-code <identity>`): a specialist's new device (a
 * browser) registers its own key with the code instead of someone copying keys by hand. Only the
 * code's SHA-256 is stored; a code works once, before its expiry, for the identity it was issued
 * to. Written by the CLI from another process and read by the running hub, like enrolments.
 */
export class EnrolCodes {
  readonly #kv: LinkKv;

  constructor(kv: LinkKv) {
    this.#kv = kv;
  }

  /** Issues a code for an identity; returns it grouped in fours for reading aloud. */
  async issue(
    identity: string,
    role: 'kit' | 'specialist' | 'coordinator',
    ttlMs = ENROL_CODE_TTL_MS,
  ): Promise<{ code: string; expiresAt: Date }> {
    let code = '';
    for (let i = 0; i < ENROL_CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
    const expiresAt = Date.now() + ttlMs;
    const record = StoredCode.parse({ identity, role, expiresAt });
    await this.#kv.linkTransaction((tx) => tx.put(keyOf(code), { ...record }));
    return { code: code.match(/.{4}/g)!.join('-'), expiresAt: new Date(expiresAt) };
  }

  /**
   * Uses a code once, atomically: the identity and role it enrols, or undefined when the code is
   * unknown, used or expired (all the same to the caller: 401).
   */
  async consume(
    text: unknown,
    device: string,
  ): Promise<{ identity: string; role: 'kit' | 'specialist' | 'coordinator' } | undefined> {
    const parsed = EnrolCodeText.safeParse(text);
    if (!parsed.success) return undefined;
    const key = keyOf(parsed.data);
    return this.#kv.linkTransaction((tx) => {
      const stored = StoredCode.safeParse(tx.get(key));
      if (!stored.success || stored.data.usedAt !== undefined || stored.data.expiresAt < Date.now())
        return undefined;
      tx.put(key, { ...stored.data, usedAt: Date.now(), usedBy: device });
      return { identity: stored.data.identity, role: stored.data.role };
    });
  }
}
