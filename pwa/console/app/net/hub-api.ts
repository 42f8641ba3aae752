import { z } from 'zod';
import { fromBase64Url, toBase64Url } from '../../../../crypto/bytes.ts';
import type { Signer } from '../../../../crypto/signed-item.ts';
import { authMessage } from '../../../../runtime/link/carriers/hub-socket/hub-wire.ts';

/** Largest directory the console accepts from the hub (the format's own limit). */
const MAX_DIRECTORY_BYTES = 4 * 1024 * 1024;
/** Largest JSON answer of the hub's small routes. */
const MAX_JSON_BYTES = 16 * 1024;

/** Why a hub call failed: refused (401: bad code, unknown or revoked key), or anything else. */
export class HubError extends Error {
  constructor(
    readonly code: 'unauthorized' | 'bad_answer' | 'unreachable' | 'no_directory',
    message: string,
  ) {
    super(message);
    this.name = 'HubError';
  }
}

const Enrolled = z.object({ identity: z.string().min(1).max(64), org: z.string().max(100).nullable() });
const Challenge = z.object({ challenge: z.string().max(100), expiresAt: z.string().max(40) });
const Token = z.object({
  token: z.string().max(200),
  expiresAt: z.string().max(40),
  identity: z.string().max(64),
  role: z.enum(['kit', 'specialist', 'coordinator']).default('specialist'),
});

/** Reads a size-limited answer body (exported for the other small API modules). */
export async function bodyOf(res: Response, limit: number): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > limit) throw new HubError('bad_answer', `answer of ${declared} bytes`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (bytes.byteLength > limit) throw new HubError('bad_answer', `answer of ${bytes.byteLength} bytes`);
  return bytes;
}

async function post<T>(base: string, path: string, body: unknown, schema: z.ZodType<T>): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch (error) {
    throw new HubError('unreachable', error instanceof Error ? error.message : String(error));
  }
  if (res.status === 401) throw new HubError('unauthorized', `${path}: 401`);
  if (!res.ok) throw new HubError('bad_answer', `${path}: ${res.status}`);
  const text = new TextDecoder().decode(await bodyOf(res, MAX_JSON_BYTES));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new HubError('bad_answer', `${path}: not JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new HubError('bad_answer', `${path}: unexpected answer`);
  return parsed.data;
}

/**
 * The hub's HTTPS API as the console calls it (same origin: the hub serves the console): enrol a
 * new device key with a one-time code, sign a challenge for a bearer token, fetch the directory.
 * Every answer is size-limited and schema-checked; failures are typed.
 */
export class HubApi {
  constructor(readonly base = '') {}

  /** Registers this device's public keys with a one-time code. */
  enrol(input: {
    code: string;
    signPublic: Uint8Array;
    boxPublic: Uint8Array;
    label: string;
  }): Promise<{ identity: string; org: string | null }> {
    return post(
      this.base,
      '/api/enrol',
      {
        code: input.code,
        key: toBase64Url(input.signPublic),
        box: toBase64Url(input.boxPublic),
        label: input.label,
      },
      Enrolled,
    );
  }

  /** A bearer token for this device: the hub's challenge signed with the device key. */
  async token(signer: Signer): Promise<{
    token: string;
    expiresAt: number;
    identity: string;
    role: 'kit' | 'specialist' | 'coordinator';
  }> {
    const key = toBase64Url(signer.publicKey);
    const asked = await post(this.base, '/api/auth/challenge', { key }, Challenge);
    const challenge = fromBase64Url(asked.challenge);
    if (!challenge) throw new HubError('bad_answer', 'challenge is not base64url');
    const signature = await signer.sign(authMessage(challenge, signer.publicKey));
    const got = await post(
      this.base,
      '/api/auth/token',
      { key, challenge: asked.challenge, signature: toBase64Url(signature) },
      Token,
    );
    return { token: got.token, expiresAt: Date.parse(got.expiresAt), identity: got.identity, role: got.role };
  }

  /** The signed directory the hub serves (the caller verifies it against the pinned org key). */
  async directory(token: string): Promise<Uint8Array> {
    let res: Response;
    try {
      res = await fetch(`${this.base}/api/directory`, { headers: { authorization: `Bearer ${token}` } });
    } catch (error) {
      throw new HubError('unreachable', error instanceof Error ? error.message : String(error));
    }
    if (res.status === 401) throw new HubError('unauthorized', '/api/directory: 401');
    if (res.status === 404) throw new HubError('no_directory', 'the hub serves no directory');
    if (!res.ok) throw new HubError('bad_answer', `/api/directory: ${res.status}`);
    return bodyOf(res, MAX_DIRECTORY_BYTES);
  }
}
