import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built console (scripts/build-pwa.js writes it), served by default. */
export const CONSOLE_DIST = fileURLToPath(new URL('../../pwa/dist-console/', import.meta.url));

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.webmanifest': 'application/manifest+json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
};
/** Largest static file served (the console's bundle with libsodium is about 2 MB). */
const MAX_STATIC_BYTES = 16 * 1024 * 1024;

/**
 * The console's security headers: its own origin only, WebAssembly for libsodium, WebSockets to
 * the hub, images from blobs (photos decrypted in the page). No inline script.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "connect-src 'self'",
  "img-src 'self' blob: data:",
  "media-src 'self' blob:",
  "style-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Serves the specialist console's static files from the hub, with no identity needed (they are
 * the same public bundle for everyone; every `/api/` route still needs a token). Only files under
 * `dir` with a known type; a path without an extension is the app itself (its screens). Anything
 * else falls through, to the hub's 401.
 */
export function consoleStatic(dir: string): (request: Request) => Promise<Response | undefined> {
  const root = normalize(dir.endsWith(sep) ? dir : `${dir}${sep}`);
  return async (request) => {
    const method = request.method;
    if (method !== 'GET' && method !== 'HEAD') return undefined;
    let path: string;
    try {
      path = decodeURIComponent(new URL(request.url).pathname);
    } catch {
      return undefined;
    }
    if (path.startsWith('/api/') || path === '/api' || path.includes('\0')) return undefined;
    const ext = extname(path);
    const name = path === '/' || ext === '' ? 'index.html' : path.slice(1);
    const file = normalize(join(root, name));
    if (!file.startsWith(root)) return undefined;
    const type = TYPES[extname(file)];
    if (!type) return undefined;
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile() || info.size > MAX_STATIC_BYTES) return undefined;
    const body = method === 'HEAD' ? null : await readFile(file);
    const hashed = /-[A-Z0-9]{8}\.(js|css)$/.test(file);
    return new Response(body, {
      status: 200,
      headers: {
        'content-type': type,
        'content-length': String(info.size),
        'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
        'content-security-policy': CSP,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      },
    });
  };
}
