import type { KitClient } from './kit-client.ts';

/**
 * A `fetch` over {@link KitClient} (HTTPS trusting only the kit's CA; Node 20's own fetch takes
 * no CA), for code written for the browser's fetch (the tablet app's API client) and for tests.
 * `token`: sent as the bearer token unless the request carries its own Authorization header.
 */
export function kitFetch(client: KitClient, token?: () => string | undefined): typeof fetch {
  return async (input, init = {}) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => (headers[k] = v));
    const bearer = headers.authorization === undefined ? token?.() : undefined;
    const body =
      init.body == null
        ? undefined
        : typeof init.body === 'string'
          ? init.body
          : new Uint8Array(await new Response(init.body).arrayBuffer());
    const res = await client.request(url, {
      method: init.method ?? 'GET',
      headers,
      ...(bearer === undefined ? {} : { token: bearer }),
      ...(body === undefined ? {} : { body }),
    });
    const out = new Headers();
    for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') out.set(k, v);
    const empty = res.status === 204 || res.status === 304;
    return new Response(empty ? null : res.text, { status: res.status, headers: out });
  };
}
