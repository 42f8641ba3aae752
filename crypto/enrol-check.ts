import { getSodium } from './wasm-sodium.ts';

/**
 * The organisation key's check inside a console's one-time enrolment code. The code a specialist
 * types is the hub's secret (12 characters, what the hub checks) followed by 16 characters derived
 * from the SHA-256 of the organisation's public key, which the administrator's tool computes from
 * the key the organisation gave it, not from anything the hub serves. The console compares the
 * organisation key the hub names at enrolment with that check before trusting it, so a hub (or
 * anyone between) serving a substituted organisation key is refused instead of pinned. Browser-safe
 * (libsodium, no node:crypto): the console and the hub's command line share it.
 */

/** Letters and digits that cannot be misread for each other (no 0/O, 1/I/L). */
export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
/** Characters of the hub's secret part: 12 of 31 is about 59 bits, single-use, and expiring. */
export const SECRET_LENGTH = 12;
/** Characters of the organisation check: 16 of 31 is about 79 bits against a made-up key matching it. */
export const ORG_CHECK_LENGTH = 16;

/** The 16-character check of an organisation public key. */
export async function orgCheck(orgKey: Uint8Array): Promise<string> {
  const digest = (await getSodium()).crypto_hash_sha256(orgKey);
  let n = 0n;
  for (const b of digest.subarray(0, 16)) n = (n << 8n) | BigInt(b);
  let out = '';
  for (let i = 0; i < ORG_CHECK_LENGTH; i++) {
    out += CODE_ALPHABET[Number(n % 31n)];
    n /= 31n;
  }
  return out;
}

/** Code text in groups of four, for reading aloud and comparing by eye. */
export function groupedCode(plain: string): string {
  return plain.match(/.{1,4}/g)?.join('-') ?? '';
}

/** The code to hand a specialist: secret and check, in groups of four for reading aloud. */
export async function enrolmentCode(secret: string, orgKey: Uint8Array): Promise<string> {
  return groupedCode(normaliseCode(secret).slice(0, SECRET_LENGTH) + (await orgCheck(orgKey)));
}

/** Upper case without spaces and dashes (how a typed code is compared). */
export function normaliseCode(text: string): string {
  return text.replace(/[\s-]/g, '').toUpperCase();
}

/** A typed code split into the hub's secret and the organisation check. */
export type TypedCode =
  | { readonly kind: 'full'; readonly secret: string; readonly check: string }
  /** Only the hub's secret: an older code, without the check (the console refuses it). */
  | { readonly kind: 'secret_only'; readonly secret: string }
  | { readonly kind: 'malformed' };

const ALLOWED = new RegExp(`^[${CODE_ALPHABET}]+$`);

/** Reads a typed enrolment code (dashes, spaces and case ignored). */
export function readEnrolmentCode(text: string): TypedCode {
  const plain = normaliseCode(text);
  if (plain.length > 64 || !ALLOWED.test(plain)) return { kind: 'malformed' };
  if (plain.length === SECRET_LENGTH) return { kind: 'secret_only', secret: plain };
  if (plain.length !== SECRET_LENGTH + ORG_CHECK_LENGTH) return { kind: 'malformed' };
  return { kind: 'full', secret: plain.slice(0, SECRET_LENGTH), check: plain.slice(SECRET_LENGTH) };
}
