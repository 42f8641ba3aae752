import type { Agent } from 'node:https';
import { request } from 'node:https';
import { pinnedTlsOptions } from './hub-protocol.ts';
import { CarrierError } from '../../carrier.ts';

/** Largest HTTP response the kit reads from the hub (a signed directory is at most 4 MiB). */
const MAX_RESPONSE = 5 * 1024 * 1024;

/** An HTTP answer from the hub. */
export interface HubResponse {
  readonly status: number;
  readonly body: Buffer;
}

/**
 * One HTTPS request to the hub over a connection that trusts only the pinned hub certificate.
 * Network and TLS failures are CarrierErrors ('unreachable', 'tls', 'timeout', 'aborted').
 */
export function hubRequest(
  url: URL,
  certPem: string,
  init: {
    method: 'GET' | 'POST';
    body?: unknown;
    token?: string;
    timeoutMs: number;
    signal?: AbortSignal;
    /** A keep-alive agent (made with the same pinned options) to reuse TLS sessions. */
    agent?: Agent;
  },
): Promise<HubResponse> {
  return new Promise((resolve, reject) => {
    const payload = init.body === undefined ? undefined : Buffer.from(JSON.stringify(init.body));
    const req = request(
      url,
      {
        method: init.method,
        ...pinnedTlsOptions(certPem),
        headers: {
          ...(payload
            ? { 'content-type': 'application/json', 'content-length': String(payload.byteLength) }
            : {}),
          ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        },
        timeout: init.timeoutMs,
        ...(init.signal ? { signal: init.signal } : {}),
        agent: init.agent ?? false,
      },
      (res) => {
        const parts: Buffer[] = [];
        let size = 0;
        res.on('data', (d: Buffer) => {
          size += d.byteLength;
          if (size > MAX_RESPONSE) req.destroy(new Error('response too large'));
          else parts.push(d);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts) }));
        res.on('error', (e) => reject(classify(e, init.signal)));
      },
    );
    req.on('timeout', () =>
      req.destroy(new CarrierError('timeout', `no answer from ${url.host} in ${init.timeoutMs} ms`)),
    );
    req.on('error', (e) => reject(classify(e, init.signal)));
    req.end(payload);
  });
}

/** Maps a socket or TLS error to a typed carrier error. */
export function classify(error: unknown, signal?: AbortSignal): CarrierError {
  if (error instanceof CarrierError) return error;
  if (signal?.aborted) return new CarrierError('aborted', 'aborted');
  const e = error as { code?: string; message?: string };
  const message = e.message ?? String(error);
  if (/certificate|pinned|self.signed|SSL|TLS/i.test(message) || /^ERR_TLS|CERT/.test(e.code ?? ''))
    return new CarrierError('tls', `the hub's TLS identity was refused: ${message}`, { cause: error });
  return new CarrierError('unreachable', `cannot reach the hub: ${message}`, { cause: error });
}
