import { randomBytes } from 'node:crypto';
import { fromBase64Url, toBase64Url, toHex } from '../../crypto/bytes.ts';
import { authMessage } from '../link/carriers/hub-socket/hub-protocol.ts';
import { verifyDetached } from '../../crypto/signed-item.ts';
import type { Enrolment, Enrolments } from './enrolment.ts';

/** How long a challenge may be answered. */
const CHALLENGE_MS = 60_000;
/** How long a session token is accepted for new requests and connections. */
const TOKEN_MS = 10 * 60_000;
/** Outstanding challenges and tokens kept at most (oldest dropped first). */
const MAX_PENDING = 10_000;

/** An authenticated caller. */
export interface HubCaller {
  readonly device: string;
  readonly signingKey: Uint8Array;
  readonly enrolment: Enrolment;
}

/**
 * Challenge-response authentication by device key: only enrolled, unrevoked devices get a
 * challenge; a correct Ed25519 signature over it yields a short-lived bearer token (HTTP
 * requests and the WebSocket upgrade). Challenges are single-use; everything is in memory and
 * bounded, so a restart just asks devices to sign again.
 */
export class HubAuth {
  readonly #enrolments: Enrolments;
  readonly #challenges = new Map<string, { device: string; expires: number }>();
  readonly #tokens = new Map<string, { device: string; expires: number }>();

  constructor(enrolments: Enrolments) {
    this.#enrolments = enrolments;
  }

  /** A challenge for an enrolled device, or undefined (the caller answers 401). */
  async challenge(keyText: unknown): Promise<{ challenge: string; expiresAt: string } | undefined> {
    const key = typeof keyText === 'string' ? fromBase64Url(keyText) : undefined;
    if (key?.byteLength !== 32) return undefined;
    if (!(await this.#enrolments.active(toHex(key)))) return undefined;
    const challenge = toBase64Url(randomBytes(32));
    const expires = Date.now() + CHALLENGE_MS;
    bounded(this.#challenges, challenge, { device: toHex(key), expires });
    return { challenge, expiresAt: new Date(expires).toISOString() };
  }

  /** A token for a correctly signed challenge, or undefined (401). */
  async token(
    keyText: unknown,
    challengeText: unknown,
    signatureText: unknown,
  ): Promise<{ token: string; expiresAt: string; identity: string; role: Enrolment['role'] } | undefined> {
    if (typeof keyText !== 'string' || typeof challengeText !== 'string' || typeof signatureText !== 'string')
      return undefined;
    const key = fromBase64Url(keyText);
    const challenge = fromBase64Url(challengeText);
    const signature = fromBase64Url(signatureText);
    const pending = this.#challenges.get(challengeText);
    this.#challenges.delete(challengeText);
    if (!key || !challenge || !signature || !pending || pending.expires < Date.now()) return undefined;
    if (pending.device !== toHex(key)) return undefined;
    if (!(await verifyDetached(signature, authMessage(challenge, key), key))) return undefined;
    const enrolment = await this.#enrolments.active(pending.device);
    if (!enrolment) return undefined;
    const token = toBase64Url(randomBytes(32));
    const expires = Date.now() + TOKEN_MS;
    bounded(this.#tokens, token, { device: pending.device, expires });
    return {
      token,
      expiresAt: new Date(expires).toISOString(),
      identity: enrolment.identity,
      role: enrolment.role,
    };
  }

  /** The caller a token stands for, if it is current and the device is still enrolled. */
  async caller(token: string | undefined): Promise<HubCaller | undefined> {
    if (!token) return undefined;
    const entry = this.#tokens.get(token);
    if (!entry) return undefined;
    if (entry.expires < Date.now()) {
      this.#tokens.delete(token);
      return undefined;
    }
    const enrolment = await this.#enrolments.active(entry.device);
    if (!enrolment) {
      this.#tokens.delete(token);
      return undefined;
    }
    return { device: entry.device, signingKey: Buffer.from(entry.device, 'hex'), enrolment };
  }
}

function bounded<V extends { expires: number }>(map: Map<string, V>, key: string, value: V): void {
  const now = Date.now();
  if (map.size >= MAX_PENDING)
    for (const [k, v] of map) {
      if (v.expires < now || map.size >= MAX_PENDING) map.delete(k);
      if (map.size < MAX_PENDING / 2) break;
    }
  map.set(key, value);
}
