import { createHash, randomInt } from 'node:crypto';
import { z } from 'zod';
import { CODE_ALPHABET, SECRET_LENGTH, enrolmentCode } from '../../crypto/enrol-check.ts';
import { LinkAddress } from '../../crypto/signed-item.ts';
import type { LinkKv } from '../link/link-kv.ts';

const P = 'enc/';
const ALPHABET = CODE_ALPHABET;
/** Characters of the hub's secret part of a code (the organisation check follows it). */
export const ENROL_CODE_LENGTH = SECRET_LENGTH;
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

/**
 * The shape a typed code has (dashes and case ignored): the secret, optionally followed by the
 * organisation check (which is the console's to verify; the hub uses the secret only).
 */
export const EnrolCodeText = z
  .string()
  .max(40)
  .transform((s) => s.replace(/[\s-]/g, '').toUpperCase())
  .pipe(
    z
      .string()
      .regex(new RegExp(`^[${ALPHABET}]{${ENROL_CODE_LENGTH}}([${ALPHABET}]{16})?$`))
      .transform((s) => s.slice(0, ENROL_CODE_LENGTH)),
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
  readonly #orgKey: () => Promise<Uint8Array | undefined>;

  /**
   * `orgKey` gives the organisation key whose check a code carries when the issuer names none
   * (the running hub: the key of the directory it serves).
   */
  constructor(kv: LinkKv, orgKey: () => Promise<Uint8Array | undefined> = () => Promise.resolve(undefined)) {
    this.#kv = kv;
    this.#orgKey = orgKey;
  }

  /**
   * Issues a code for an identity. `code` is what the specialist types: the secret and, when an
   * organisation key is known, its check, grouped in fours for reading aloud; `secret` is the
   * hub's part alone.
   */
  async issue(
    identity: string,
    role: 'kit' | 'specialist' | 'coordinator',
    ttlMs = ENROL_CODE_TTL_MS,
    orgKey?: Uint8Array,
  ): Promise<{ code: string; secret: string; expiresAt: Date }> {
    let secret = '';
    for (let i = 0; i < ENROL_CODE_LENGTH; i++) secret += ALPHABET[randomInt(ALPHABET.length)];
    const expiresAt = Date.now() + ttlMs;
    const record = StoredCode.parse({ identity, role, expiresAt });
    await this.#kv.linkTransaction((tx) => tx.put(keyOf(secret), { ...record }));
    const org = orgKey ?? (await this.#orgKey());
    return {
      code: org ? await enrolmentCode(secret, org) : secret.match(/.{4}/g)!.join('-'),
      secret,
      expiresAt: new Date(expiresAt),
    };
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
