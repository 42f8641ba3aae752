import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { lingerOnRefusedBodies } from './linger.ts';

/** An app as the listeners take it (Hono's `fetch`). */
export interface FetchApp {
  readonly fetch: Parameters<typeof serve>[0]['fetch'];
}

/** Key and certificate chain, PEM. */
export interface TlsPair {
  readonly key: string;
  readonly cert: string;
}

/** The kit's two listeners. */
export interface KitServers {
  readonly httpsPort: number;
  readonly httpPort: number;
  /** Swaps the certificate for new connections (renewal, new address); open ones keep theirs. */
  setTls(tls: TlsPair): void;
  /** Stops accepting, ends open connections (live streams included) and resolves when closed. */
  close(): Promise<void>;
}

function listening<S extends HttpServer | HttpsServer>(server: S): Promise<S> {
  return new Promise((resolve, reject) => {
    if (server.listening) resolve(server);
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}

function closeServer(server: HttpServer | HttpsServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Starts the HTTPS listener (the tablet app and its API) and then the plain-HTTP one (onboarding
 * and redirects), which is built once the HTTPS port is known so its links and redirects name it.
 */
export async function startServers(options: {
  readonly host: string;
  readonly httpsPort: number;
  readonly httpPort: number;
  readonly tls: TlsPair;
  readonly httpsApp: FetchApp;
  readonly httpApp: (ports: { httpsPort: number; httpPort: () => number }) => FetchApp;
}): Promise<KitServers> {
  const https = await listening(
    serve({
      fetch: options.httpsApp.fetch,
      hostname: options.host,
      port: options.httpsPort,
      createServer: createHttpsServer,
      serverOptions: { key: options.tls.key, cert: options.tls.cert, minVersion: 'TLSv1.2' },
      // A body refused before it was read is drained by lingerOnRefusedBodies instead.
      autoCleanupIncoming: false,
    }) as HttpsServer,
  );
  lingerOnRefusedBodies(https);
  const httpsPort = (https.address() as AddressInfo).port;
  let httpPort = 0;
  let http: HttpServer;
  try {
    http = await listening(
      serve({
        fetch: options.httpApp({ httpsPort, httpPort: () => httpPort }).fetch,
        hostname: options.host,
        port: options.httpPort,
        createServer: createHttpServer,
        autoCleanupIncoming: false,
      }) as HttpServer,
    );
    lingerOnRefusedBodies(http);
  } catch (err) {
    await closeServer(https);
    throw err;
  }
  httpPort = (http.address() as AddressInfo).port;
  return {
    httpsPort,
    httpPort,
    setTls: (tls) => https.setSecureContext({ key: tls.key, cert: tls.cert, minVersion: 'TLSv1.2' }),
    close: async () => {
      await Promise.all([closeServer(https), closeServer(http)]);
    },
  };
}
