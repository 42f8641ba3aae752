import { z } from 'zod';
import { ascii, concatBytes, equalBytes, readU32, toHex, writeU32 } from './bytes.ts';
import { LinkCryptoError } from './link-error.ts';
import type { Signer } from './signed-item.ts';
import { LinkAddress, verifyDetached, issue, omitUndefined } from './signed-item.ts';
import { getSodium } from './wasm-sodium.ts';
import { decodeWire, encodeWire } from './wire-cbor.ts';

/**
 * The directory of the organisation's identities (kits, specialists, teams) and their device
 * keys, signed by the offline organisation key. Kits and consoles pin the organisation's public
 * key and trust a device key only through a directory that verifies against it: the hub serves
 * the directory but cannot change it unnoticed. Layout:
 *
 *     "FKD1" | u32 length | directory (CBOR) | Ed25519 signature by the organisation key (64)
 */
export const DIRECTORY_MAGIC = ascii('FKD1');
/** Largest signed directory accepted. */
export const MAX_DIRECTORY_BYTES = 4 * 1024 * 1024;
const DOMAIN = ascii('fieldkit/directory/v1\u0000');

const key32 = z.custom<Uint8Array>(
  (v) => v instanceof Uint8Array && v.byteLength === 32,
  'expected 32 bytes',
);

/** One device of an identity: Ed25519 for signatures, X25519 for sealed envelopes. */
export const DirectoryDevice = z.object({
  key: key32,
  box: key32,
  label: z.string().max(100).optional(),
});
/** See {@link DirectoryDevice}. */
export type DirectoryDevice = z.infer<typeof DirectoryDevice>;

/** A kit, a specialist, or a team (whose own key its consoles share, plus its members). */
export const DirectoryIdentity = z.object({
  id: LinkAddress,
  role: z.enum(['kit', 'specialist', 'team']),
  name: z.string().min(1).max(200),
  devices: z.array(DirectoryDevice).max(16),
  members: z.array(LinkAddress).max(500).optional(),
});
/** See {@link DirectoryIdentity}. */
export type DirectoryIdentity = z.infer<typeof DirectoryIdentity>;

/** The signed content. `serial` only grows: a kit refuses a directory older than its pinned one. */
export const DirectoryFields = z.object({
  v: z.literal(1),
  org: key32,
  serial: z.number().int().nonnegative(),
  issuedAt: z.number().int().nonnegative(),
  identities: z.array(DirectoryIdentity).max(10_000),
});
/** See {@link DirectoryFields}. */
export type DirectoryFields = z.infer<typeof DirectoryFields>;

/** A short, readable fingerprint of a public key (first 8 bytes of its SHA-256, grouped). */
export async function keyFingerprint(publicKey: Uint8Array): Promise<string> {
  const hex = toHex((await getSodium()).crypto_hash_sha256(publicKey).subarray(0, 8));
  return hex.match(/.{4}/g)!.join('-');
}

/** Signs a directory with the organisation key (on the offline machine). */
export async function signDirectory(
  fields: Omit<DirectoryFields, 'v' | 'org'>,
  org: Signer,
): Promise<Uint8Array> {
  const parsed = DirectoryFields.safeParse({ ...fields, v: 1, org: org.publicKey });
  if (!parsed.success) throw new LinkCryptoError('malformed', `Directory is invalid: ${issue(parsed.error)}`);
  const ids = new Set<string>();
  for (const identity of parsed.data.identities) {
    if (ids.has(identity.id)) throw new LinkCryptoError('malformed', `Directory lists ${identity.id} twice.`);
    ids.add(identity.id);
  }
  const body = encodeWire({
    ...parsed.data,
    identities: parsed.data.identities.map((i) =>
      omitUndefined({ ...i, devices: i.devices.map(omitUndefined) }),
    ),
  });
  const signature = await org.sign(concatBytes(DOMAIN, body));
  const prefix = new Uint8Array(8);
  prefix.set(DIRECTORY_MAGIC, 0);
  writeU32(prefix, 4, body.byteLength);
  return concatBytes(prefix, body, signature);
}

/**
 * Verifies a signed directory against the pinned organisation key. A directory signed by any
 * other key, or altered in one byte (a substituted device key), is refused with a message that
 * says so; one older than `minSerial` is refused as a rollback.
 */
export async function verifyDirectory(
  signedDirectory: Uint8Array,
  orgKey: Uint8Array,
  minSerial = 0,
): Promise<Directory> {
  if (signedDirectory.byteLength > MAX_DIRECTORY_BYTES)
    throw new LinkCryptoError('too_large', `Directory of ${signedDirectory.byteLength} bytes.`);
  if (signedDirectory.byteLength < 8 + 64 || !equalBytes(signedDirectory.subarray(0, 4), DIRECTORY_MAGIC))
    throw new LinkCryptoError('malformed', 'Not a signed directory (bad magic).');
  const length = readU32(signedDirectory, 4);
  if (8 + length + 64 !== signedDirectory.byteLength)
    throw new LinkCryptoError('malformed', 'Signed directory length does not match.');
  const body = signedDirectory.subarray(8, 8 + length);
  const signature = signedDirectory.subarray(8 + length);
  const pinned = await keyFingerprint(orgKey);
  const ok = await verifyDetached(signature, concatBytes(DOMAIN, body), orgKey);
  const decoded = decodeWire(body);
  const parsed = decoded.ok ? DirectoryFields.safeParse(decoded.value) : undefined;
  if (parsed?.success && !equalBytes(parsed.data.org, orgKey))
    throw new LinkCryptoError(
      'wrong_org',
      `The directory names organisation key ${await keyFingerprint(parsed.data.org)}, not the pinned ${pinned}: refused.`,
    );
  if (!ok)
    throw new LinkCryptoError(
      'bad_signature',
      `The directory is not signed by the pinned organisation key ${pinned}: a device key may have been substituted; refused.`,
    );
  if (!decoded.ok) throw new LinkCryptoError('malformed', `Directory is not CBOR: ${decoded.why}.`);
  if (!parsed?.success)
    throw new LinkCryptoError('malformed', `Directory has a bad shape: ${parsed ? issue(parsed.error) : ''}`);
  if (parsed.data.serial < minSerial)
    throw new LinkCryptoError(
      'rollback',
      `The directory has serial ${parsed.data.serial}, older than the pinned serial ${minSerial}: refused.`,
    );
  return new Directory(parsed.data, signedDirectory);
}

/** A verified directory with the lookups the link needs. Build only through {@link verifyDirectory}. */
export class Directory {
  readonly #byId = new Map<string, DirectoryIdentity>();
  constructor(
    readonly fields: DirectoryFields,
    /** The signed bytes as verified (what a kit pins and re-serves). */
    readonly signed: Uint8Array,
  ) {
    for (const identity of fields.identities) this.#byId.set(identity.id, identity);
  }

  /** The serial number (monotonic). */
  get serial(): number {
    return this.fields.serial;
  }

  /** An identity by id. */
  identity(id: string): DirectoryIdentity | undefined {
    return this.#byId.get(id);
  }

  /** The identity and device that own a signing key, if listed. */
  deviceBySigningKey(key: Uint8Array): { identity: DirectoryIdentity; device: DirectoryDevice } | undefined {
    for (const identity of this.fields.identities)
      for (const device of identity.devices) if (equalBytes(device.key, key)) return { identity, device };
    return undefined;
  }

  /** True when `key` is a current device of identity `id`. */
  isDeviceOf(id: string, key: Uint8Array): boolean {
    return this.#byId.get(id)?.devices.some((d) => equalBytes(d.key, key)) ?? false;
  }

  /**
   * The X25519 keys an envelope to `address` is wrapped for: the identity's devices, or for a
   * team its own devices and every member's devices.
   */
  sealingKeysFor(address: string): Uint8Array[] {
    const identity = this.#byId.get(address);
    if (!identity) return [];
    const keys = identity.devices.map((d) => d.box);
    if (identity.role === 'team')
      for (const member of identity.members ?? [])
        keys.push(...(this.#byId.get(member)?.devices.map((d) => d.box) ?? []));
    return keys;
  }

  /** Identities an envelope to `address` reaches (itself, or a team's members and itself). */
  recipientsOf(address: string): string[] {
    const identity = this.#byId.get(address);
    if (!identity) return [];
    return identity.role === 'team' ? [address, ...(identity.members ?? [])] : [address];
  }
}
