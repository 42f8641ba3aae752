import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';

/** How long and how much of a refused body the kit reads and throws away after answering. */
export interface LingerLimits {
  /** Bytes read after the answer before the connection is cut after all. */
  readonly maxBytes: number;
  /** Milliseconds after the answer before the connection is cut after all. */
  readonly maxMs: number;
}

/**
 * A tablet uploading a photo at Wi-Fi speed sends 15 MB in a few seconds; the refused body of
 * every route is at most the declared upload ceiling plus some slack.
 */
export const DEFAULT_LINGER: LingerLimits = { maxBytes: 64 * 1024 * 1024, maxMs: 30_000 };

/**
 * Why this exists: when the kit answers before it has read the request's body (a 413 decided on
 * the declared Content-Length, a 401 to a stranger's upload, a chunked body cut at the limit) and
 * then closes the socket with the rest of the body still arriving, the kit's kernel answers those
 * bytes with a TCP reset, and a reset makes the client's kernel throw away the answer it has not
 * read yet: the tablet sees "connection reset" instead of the JSON 413. (@hono/node-server's own
 * clean-up reads for only 500 ms before it cuts; Node's own closes after a `Connection: close`.)
 *
 * The kit does what nginx's lingering close does: once an answer is finished while its request
 * is still arriving, it reads and discards the rest (every other reader of the request is
 * detached first, so nothing is buffered or stored), within {@link LingerLimits}; then the
 * connection stays usable for the next request. Past the limits it is cut (the client of an
 * endless body gets the reset it asked for). Install it with `autoCleanupIncoming: false`.
 */
export function lingerOnRefusedBodies(
  server: HttpServer | HttpsServer,
  limits: LingerLimits = DEFAULT_LINGER,
): void {
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    res.once('finish', () => {
      if (req.complete || req.destroyed) return;
      // After a `Connection: close` answer Node has ended the socket and will destroy it once the
      // end is written: keep the reading side open until the drain is over instead (the writing
      // side is already half-closed, so the client sees the answer end).
      // eslint-disable-next-line @typescript-eslint/unbound-method -- the very function Node registered
      req.socket.removeListener('finish', req.socket.destroy);
      drain(req, limits);
    });
  });
}

function drain(req: IncomingMessage, limits: LingerLimits): void {
  let read = 0;
  const cut = () => {
    done();
    req.socket.destroy();
  };
  const timer = setTimeout(cut, limits.maxMs);
  timer.unref();
  const onData = (chunk: Buffer) => {
    read += chunk.byteLength;
    if (read > limits.maxBytes) cut();
  };
  const done = () => {
    clearTimeout(timer);
    req.off('data', onData);
    req.off('end', done);
    req.off('close', done);
    req.off('error', done);
    // A socket whose writing side was ended (a `Connection: close` answer) closes now.
    if (req.socket.writableEnded) req.socket.destroySoon();
  };
  // Whatever was reading the body (a web stream over it, a parser) gave up at the refusal.
  req.removeAllListeners('data');
  req.on('data', onData);
  req.once('end', done);
  req.once('close', done);
  req.once('error', done);
  req.resume();
}
