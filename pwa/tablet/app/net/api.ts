/** The kit refused a request: its status and the error code and message of its JSON body. */
export class KitRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'KitRefusal';
  }

  /**
   * Worth sending again later (the kit was busy or failing, or wants this tablet paired again),
   * as opposed to a refusal of the content.
   */
  get retryable(): boolean {
    return this.status >= 500 || this.status === 401 || this.status === 408 || this.status === 429;
  }
}

/** The kit could not be reached at all (no Wi-Fi, kit stopped): nothing was received. */
export class KitUnreachable extends Error {
  constructor(cause: unknown) {
    super('the kit is unreachable', { cause });
    this.name = 'KitUnreachable';
  }
}

/** The tablet's HTTP client for the kit's API. */
export interface KitApi {
  get<T>(path: string): Promise<T>;
  send<T>(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<T>;
  /** Uploads raw bytes, reporting progress (0..1) as they leave the tablet. */
  upload<T>(path: string, blob: Blob, type: string, onProgress?: (fraction: number) => void): Promise<T>;
  /** Downloads a file the kit streams (a FHIR bundle): the whole body, or a refusal. */
  download(path: string): Promise<Blob>;
}

async function answer<T>(res: Response): Promise<T> {
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: handled below
  }
  if (res.ok) return json as T;
  const err = (json ?? {}) as { error?: string; message?: string };
  throw new KitRefusal(res.status, err.error ?? `http_${res.status}`, err.message ?? res.statusText);
}

/** Options of {@link createKitApi}. */
export interface KitApiOptions {
  readonly base?: string;
  /** The bearer token of a paired tablet (sent only in the Authorization header, never in a URL). */
  readonly token?: () => string | null;
  /** Called when the kit answers 401 (no token, an unknown or a revoked one): pair again. */
  readonly onUnauthorized?: () => void;
  /** The fetch to use (the browser's by default). */
  readonly fetch?: typeof fetch;
}

/** The API client of the tablet app. */
export function createKitApi(options: KitApiOptions = {}): KitApi {
  const base = options.base ?? '';
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const checked = async <T>(path: string, res: Response): Promise<T> => {
    try {
      return await answer<T>(res);
    } catch (error) {
      if (error instanceof KitRefusal && error.status === 401 && path !== '/api/pair')
        options.onUnauthorized?.();
      throw error;
    }
  };
  const headers = (extra: Record<string, string> = {}): Record<string, string> => {
    const token = options.token?.();
    return token ? { ...extra, authorization: `Bearer ${token}` } : extra;
  };
  const call = async <T>(path: string, init: RequestInit): Promise<T> => {
    let res: Response;
    try {
      res = await doFetch(base + path, { ...init, cache: 'no-store', credentials: 'omit' });
    } catch (error) {
      throw new KitUnreachable(error);
    }
    return checked<T>(path, res);
  };
  return {
    get: (path) => call(path, { headers: headers() }),
    send: (method, path, body) =>
      call(path, {
        method,
        headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    download: async (path) => {
      let res: Response;
      try {
        res = await doFetch(base + path, { headers: headers(), cache: 'no-store', credentials: 'omit' });
      } catch (error) {
        throw new KitUnreachable(error);
      }
      if (!res.ok) return checked<never>(path, res);
      try {
        // A stream the kit cuts part way (a damaged record) rejects here: never a short file.
        return await res.blob();
      } catch (error) {
        throw new KitUnreachable(error);
      }
    },
    upload: <T>(path: string, blob: Blob, type: string, onProgress?: (fraction: number) => void) =>
      new Promise<T>((resolve, reject) => {
        // XMLHttpRequest, because fetch reports no upload progress.
        const xhr = new XMLHttpRequest();
        xhr.open('POST', base + path);
        for (const [k, v] of Object.entries(headers({ 'content-type': type }))) xhr.setRequestHeader(k, v);
        xhr.upload.onprogress = (e) => {
          if (e.lengthComputable) onProgress?.(e.loaded / e.total);
        };
        xhr.onerror = () => reject(new KitUnreachable(new Error('upload failed')));
        xhr.onload = () => {
          const res = new Response(xhr.status === 204 ? null : xhr.responseText, { status: xhr.status });
          checked<T>(path, res).then(resolve, reject);
        };
        xhr.send(blob);
      }),
  };
}
