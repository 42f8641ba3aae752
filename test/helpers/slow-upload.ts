import { connect } from 'node:tls';

/** What {@link slowUpload} saw: the answer's status and body, or how the connection failed. */
export type SlowUploadResult =
  | { readonly ok: true; readonly status: number; readonly headers: string; readonly body: string }
  | { readonly ok: false; readonly error: string };

/**
 * A client that behaves like a tablet on slow Wi-Fi which reads the answer only once it has sent
 * the whole body: one request over a raw TLS socket (trusting only `ca`), the body written in
 * `pieces` pieces of `pieceBytes` with `pauseMs` between them, the socket not read before the
 * last piece left. A server that cuts the connection while bytes are still arriving makes its
 * kernel reset it, and the reset throws away the answer this client has not read yet: that is
 * the "hang-up" this helper shows (`ok: false`).
 */
export function slowUpload(options: {
  readonly url: string;
  readonly ca: string;
  readonly method?: string;
  readonly headers: Record<string, string>;
  readonly pieces: number;
  readonly pieceBytes: number;
  readonly pauseMs: number;
  /** Send `Transfer-Encoding: chunked` instead of a Content-Length. */
  readonly chunked?: boolean;
}): Promise<SlowUploadResult> {
  const url = new URL(options.url);
  const total = options.pieces * options.pieceBytes;
  return new Promise((resolve) => {
    const socket = connect({
      host: url.hostname,
      port: Number(url.port),
      ca: options.ca,
      servername: url.hostname,
    });
    const received: Buffer[] = [];
    let settled = false;
    const finish = (result: SlowUploadResult) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(result);
    };
    socket.on('error', (e: NodeJS.ErrnoException) => finish({ ok: false, error: e.code ?? e.message }));
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      const text = Buffer.concat(received).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      if (split < 0) return;
      const head = text.slice(0, split);
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? NaN);
      const body = text.slice(split + 4);
      if (Buffer.byteLength(body) >= length)
        finish({ ok: true, status: Number(head.split(' ')[1]), headers: head, body });
    });
    socket.on('end', () => finish({ ok: false, error: 'closed before a whole answer' }));
    socket.pause();
    socket.once('secureConnect', () => {
      const headers = {
        host: url.host,
        ...options.headers,
        ...(options.chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(total) }),
      };
      const head =
        `${options.method ?? 'POST'} ${url.pathname}${url.search} HTTP/1.1\r\n` +
        Object.entries(headers)
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join('') +
        '\r\n';
      socket.write(head);
      const piece = Buffer.alloc(options.pieceBytes, 0x78);
      let sent = 0;
      const next = () => {
        if (settled) return;
        if (sent === options.pieces) {
          if (options.chunked) socket.write('0\r\n\r\n');
          socket.resume();
          return;
        }
        sent++;
        if (options.chunked) socket.write(`${piece.byteLength.toString(16)}\r\n`);
        socket.write(piece);
        if (options.chunked) socket.write('\r\n');
        setTimeout(next, options.pauseMs);
      };
      next();
    });
  });
}
