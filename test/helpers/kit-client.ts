import { request as httpsRequest } from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { SseParser, type SseMessage } from '../../pwa/tablet/app/net/sse-parser.ts';

/** A response read to its end. */
export interface KitResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  json<T = unknown>(): T;
}

/** What a request may carry. */
export interface KitRequest {
  readonly method?: string;
  readonly token?: string;
  readonly body?: string | Uint8Array;
  readonly headers?: Record<string, string>;
}

/**
 * An HTTPS client that trusts exactly the kit's CA (Node 20's fetch takes no CA option without
 * the undici package): what a paired tablet does, with the token in the Authorization header.
 */
export class KitClient {
  constructor(
    readonly baseUrl: string,
    readonly ca: string,
  ) {}

  /** One request, answered in full. */
  request(path: string, init: KitRequest = {}): Promise<KitResponse> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        new URL(path, this.baseUrl),
        { method: init.method ?? 'GET', ca: this.ca, headers: this.#headers(init) },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text,
              json: <T>() => JSON.parse(text) as T,
            });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(init.body);
    });
  }

  /** POSTs JSON. */
  postJson(path: string, body: unknown, token?: string): Promise<KitResponse> {
    return this.request(path, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
      ...(token === undefined ? {} : { token }),
    });
  }

  /**
   * Reads the live channel as the tablet does (SSE over a request with the Authorization header,
   * optionally resuming after `lastEventId`) until `signal` aborts. Throws on a non-200 answer.
   */
  async *live(token: string, signal: AbortSignal, lastEventId?: string): AsyncGenerator<SseMessage> {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = httpsRequest(new URL('/api/live', this.baseUrl), {
        ca: this.ca,
        headers: this.#headers({ token, headers }),
        signal,
      });
      req.on('response', resolve);
      req.on('error', reject);
      req.end();
    });
    if (res.statusCode !== 200) {
      res.resume();
      throw new Error(`live channel: HTTP ${res.statusCode ?? 0}`);
    }
    const parser = new SseParser();
    res.setEncoding('utf8');
    try {
      for await (const chunk of res) for (const m of parser.push(chunk as string)) yield m;
    } catch (err) {
      if (!signal.aborted) throw err;
    } finally {
      res.destroy();
    }
  }

  #headers(init: KitRequest): Record<string, string> {
    return {
      ...(init.headers ?? {}),
      ...(init.token === undefined ? {} : { authorization: `Bearer ${init.token}` }),
    };
  }
}

/** The store calls a test needs to pair a tablet. */
interface PairingCodes {
  createPairingCode(input: {
    role: 'feldsher' | 'doctor' | 'coordinator';
    createdBy: string;
  }): Promise<{ code: string }>;
}

/** Pairs a tablet through the real `POST /api/pair`; returns its token. */
export async function pairTablet(
  client: KitClient,
  store: PairingCodes,
  role: 'feldsher' | 'doctor' | 'coordinator' = 'feldsher',
  name = `${role} test tablet`,
): Promise<string> {
  const { code } = await store.createPairingCode({ role, createdBy: 'test' });
  const res = await client.postJson('/api/pair', { code, name });
  if (res.status !== 201) throw new Error(`pairing failed: ${res.status} ${res.text}`);
  return res.json<{ token: string }>().token;
}
