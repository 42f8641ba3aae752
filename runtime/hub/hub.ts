import type { IncomingMessage, Server } from 'node:http';
import { createServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { serve } from '@hono/node-server';
import { WebSocketServer } from 'ws';
import { toHex } from '../../crypto/bytes.ts';
import type { Directory } from '../../crypto/directory.ts';
import { verifyDirectory, DirectoryFields } from '../../crypto/directory.ts';
import { decodeWire } from '../../crypto/wire-cbor.ts';
import type { RecordStore } from '../../store/index.ts';
import type { Logger } from '../log.ts';
import { LINK_PATH, LINK_PROTOCOL, TOKEN_PROTOCOL } from '../link/carriers/hub-socket/hub-protocol.ts';
import { WsConnection } from '../link/carriers/hub-socket/ws-connection.ts';
import type { CarrierConnection } from '../link/carrier.ts';
import { MAX_FRAME_BYTES } from '../link/frames.ts';
import type { LivenessOptions } from '../link/liveness.ts';
import { LinkRejectError, RejectCounters } from '../link/reject.ts';
import { LinkSession } from '../link/session.ts';
import type { HubCaller } from './auth.ts';
import { HubAuth } from './auth.ts';
import { CONSOLE_DIST, consoleStatic } from './console-static.ts';
import type { HubDeadlines } from './coordination.ts';
import { Coordination } from './coordination.ts';
import { EnrolCodes } from './enrol-codes.ts';
import { enrolWithCode } from './enrol-route.ts';
import { Enrolments } from './enrolment.ts';
import { bearer, createHubApp } from './hub-http.ts';
import { HubSink } from './hub-sink.ts';
import { LmdbMailbox } from './lmdb-mailbox.ts';
import type { Mailbox, MailboxRoute } from './mailbox.ts';
import { MailboxQueue } from './mailbox-queue.ts';
import { Router } from './router.ts';
import { SignalRelay } from './signal-relay.ts';
import { MAX_SIGNAL_BYTES, SIGNAL_PATH, SIGNAL_PROTOCOL } from '../link/carriers/webrtc/signal-protocol.ts';
import type { HubTls } from './tls.ts';

/** Options of {@link startHub}. */
export interface HubOptions {
  /** The hub's own encrypted store (enrolments; the default mailbox). */
  readonly store: RecordStore;
  readonly tls: HubTls;
  readonly host?: string;
  readonly port?: number;
  /** Another mailbox implementation (default: LMDB in `store`). */
  readonly mailbox?: Mailbox;
  /** The signed directory to serve (read again on every request, so a new file is served at once). */
  readonly directory?: () => Uint8Array | undefined;
  readonly log: Logger;
  readonly liveness?: LivenessOptions;
  /** How often connected devices are re-checked against revocations (default 2 s). */
  readonly revocationCheckMs?: number;
  /**
   * What runs on a newly authenticated connection instead of a link session (e.g. a carrier's
   * acceptance suite, which needs the raw connection). Default: a link session to the mailbox.
   */
  readonly onConnection?: (conn: CarrierConnection, caller: HubCaller) => void;
  /**
   * The specialist console's built files (default: pwa/dist-console of this package); `false`
   * serves no console.
   */
  readonly consoleDir?: string | false;
  /** Answer deadlines the hub flags overdue consultations by (default urgent 30 min, routine 24 h). */
  readonly deadlines?: HubDeadlines;
}

/** A running hub. */
export interface HubHandle {
  readonly url: string;
  readonly port: number;
  readonly fingerprint: string;
  readonly mailbox: Mailbox;
  readonly enrolments: Enrolments;
  /** One-time enrolment codes (`fieldkit hub enroll-code`). */
  readonly codes: EnrolCodes;
  /** Who holds which consultation; what is open and overdue. */
  readonly coordination: Coordination;
  /** Refusals of bad input from the wire, by code. */
  readonly counters: RejectCounters;
  /** The signaling relay of the direct carrier (devices with a signaling socket open). */
  readonly signaling: SignalRelay;
  /** Devices connected right now (hex keys). */
  connected(): string[];
  stop(): Promise<void>;
}

function tokenFrom(req: IncomingMessage): string | undefined {
  const fromHeader = bearer(req.headers.authorization);
  if (fromHeader) return fromHeader;
  const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  return protocols.find((p) => p.startsWith(TOKEN_PROTOCOL))?.slice(TOKEN_PROTOCOL.length);
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

/**
 * The hub (`fieldkit hub`): HTTPS and a WebSocket, where there is internet. Enrolled kits and
 * specialist devices authenticate with their Ed25519 keys, then run link sessions: what they
 * upload is stored in the mailbox (acknowledged once durable) and forwarded to the recipients'
 * devices whenever they connect, by priority. It routes only between enrolled identities and
 * stores and forwards what it cannot read; it serves the organisation-signed directory, which it
 * cannot alter unnoticed.
 */
export async function startHub(options: HubOptions): Promise<HubHandle> {
  const { store, log } = options;
  const enrolments = new Enrolments(store);
  const auth = new HubAuth(enrolments);
  const mailbox = options.mailbox ?? new LmdbMailbox(store);
  const counters = new RejectCounters();
  const sessions = new Map<string, LinkSession>();
  let cachedDir: { bytes: Uint8Array; dir: Directory | undefined } | undefined;
  const directoryBytes = (): Uint8Array | undefined => options.directory?.();
  const directory = (): Directory | undefined => cachedDir?.dir;
  const refreshDirectory = async (): Promise<void> => {
    const bytes = directoryBytes();
    if (!bytes || cachedDir?.bytes === bytes) return;
    cachedDir = { bytes, dir: await parseOwnDirectory(bytes) };
  };
  await refreshDirectory();
  // Codes issued by the running hub carry the check of the organisation key it serves.
  const codes = new EnrolCodes(store, async () => {
    await refreshDirectory().catch(() => undefined);
    return directory()?.fields.org;
  });
  const router = new Router(enrolments, directory);
  const coordination = new Coordination(store, directory, {
    ...(options.deadlines ? { deadlines: options.deadlines } : {}),
  });
  const sink = new HubSink(
    mailbox,
    router,
    async (id, route) => {
      const sender = await enrolments.active(route.from);
      if (sender) await coordination.arrived(id, route, sender);
    },
    (route) => admitReply(route, enrolments, coordination),
  );

  const app = createHubApp({
    auth,
    directory: directoryBytes,
    // The directory as served now (not as last cached): the console checks its organisation key.
    enrol: enrolWithCode(codes, enrolments, async () => {
      await refreshDirectory().catch(() => undefined);
      return directory();
    }),
    coordination,
    ...(options.consoleDir === false
      ? {}
      : { consoleFiles: consoleStatic(options.consoleDir ?? CONSOLE_DIST) }),
    status: async () => ({
      mailbox: await mailbox.stats(),
      connected: sessions.size,
      refused: counters.snapshot(),
    }),
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve(
      {
        fetch: app.fetch,
        hostname: options.host ?? '127.0.0.1',
        port: options.port ?? 8471,
        createServer,
        serverOptions: { key: options.tls.key, cert: options.tls.chain },
      },
      () => resolve(s),
    ) as Server;
    s.once('error', reject);
  });
  // A renewed leaf (expiry near, a new address) serves every new connection from now on; open
  // ones keep theirs. Without this a hub up for months would serve an expired leaf.
  const offRenew = options.tls.renewal?.onRenew((m) => {
    (server as unknown as HttpsServer).setSecureContext({ key: m.key, cert: m.cert });
    log.info({ leafNotAfter: m.leafNotAfter.toISOString() }, 'hub: TLS leaf renewed');
  });
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(LINK_PROTOCOL) ? LINK_PROTOCOL : false),
  });

  const signaling = new SignalRelay(enrolments, counters);
  const signalWss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_SIGNAL_BYTES,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(SIGNAL_PROTOCOL) ? SIGNAL_PROTOCOL : false),
  });

  const attach = (conn: CarrierConnection, caller: HubCaller): void => {
    const device = caller.device;
    sessions.get(device)?.close('replaced by a newer connection');
    const session = new LinkSession(conn, {
      queue: new MailboxQueue(mailbox, device),
      sink,
      counters,
      ...(options.liveness ? { liveness: options.liveness } : {}),
      log: (message, detail) => log.warn({ ...detail, device: device.slice(0, 16) }, message),
    });
    sessions.set(device, session);
    log.info({ identity: caller.enrolment.identity, device: device.slice(0, 16) }, 'hub: device connected');
    void session.closed.then((info) => {
      if (sessions.get(device) === session) sessions.delete(device);
      log.info(
        { identity: caller.enrolment.identity, by: info.by, reason: info.reason },
        'hub: device disconnected',
      );
    });
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    void (async () => {
      await refreshDirectory().catch(() => undefined);
      const url = new URL(req.url ?? '/', 'https://hub');
      const caller = await auth.caller(tokenFrom(req));
      if (!caller) return refuseUpgrade(socket, 401, 'Unauthorized');
      if (url.pathname === SIGNAL_PATH)
        return signalWss.handleUpgrade(req, socket, head, (ws) => signaling.attach(ws, caller));
      if (url.pathname !== LINK_PATH) return refuseUpgrade(socket, 404, 'Not Found');
      wss.handleUpgrade(req, socket, head, (ws) => {
        const conn = new WsConnection(
          ws,
          { signingKey: caller.signingKey, identity: caller.enrolment.identity },
          socket,
        );
        if (options.onConnection) options.onConnection(conn, caller);
        else attach(conn, caller);
      });
    })().catch(() => refuseUpgrade(socket, 500, 'Internal Server Error'));
  });

  const revocations = setInterval(() => {
    void (async () => {
      await refreshDirectory().catch(() => undefined);
      for (const [device, session] of sessions)
        if (!(await enrolments.active(device))) session.close('device revoked');
    })();
  }, options.revocationCheckMs ?? 2000);
  revocations.unref();

  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://${options.host === '0.0.0.0' || !options.host ? '127.0.0.1' : options.host}:${port}`,
    port,
    fingerprint: options.tls.fingerprint,
    mailbox,
    enrolments,
    codes,
    coordination,
    counters,
    signaling,
    connected: () => [...sessions.keys()],
    async stop() {
      clearInterval(revocations);
      offRenew?.();
      for (const s of sessions.values()) s.close('hub stopping');
      await Promise.all([...sessions.values()].map((s) => s.closed));
      for (const client of wss.clients) client.terminate();
      wss.close();
      signaling.close();
      signalWss.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    },
  };
}

/**
 * Refuses a specialist's reply (an envelope naming its consultation in the clear `re`) to a
 * consultation another identity holds: the link's 409, a NACK `taken` naming the holder. Every
 * envelope a specialist or coordinator uploads is a reply (messages, voice, conclusions: the
 * console and the simulated specialist send nothing else through the hub), so one with no `re`
 * is refused as `unbound_reply`: otherwise it would pass the holder check unchecked. A
 * consultation nobody holds, one this hub does not coordinate, receipts, or a kit's own upload
 * pass.
 */
export async function admitReply(
  route: MailboxRoute,
  enrolments: Enrolments,
  coordination: Coordination,
): Promise<void> {
  if (route.kind !== 'envelope') return;
  const sender = await enrolments.active(route.from);
  if (!sender || sender.role === 'kit') return;
  if (!route.re)
    throw new LinkRejectError(
      'unbound_reply',
      'a specialist may send only replies: the envelope must name the consultation it answers (re)',
    );
  const holder = await coordination.holderOf(route.re);
  if (holder && holder !== sender.identity) throw new LinkRejectError('taken', `held by ${holder}`);
}

/**
 * The directory as the hub reads it, for team routing only: checked against the organisation key
 * it names (the hub pins nothing; kits verify against their own pinned key).
 */
async function parseOwnDirectory(bytes: Uint8Array): Promise<Directory | undefined> {
  const body = decodeWire(bytes.subarray(8, bytes.byteLength - 64));
  const fields = body.ok ? DirectoryFields.safeParse(body.value) : undefined;
  if (!fields?.success) return undefined;
  return verifyDirectory(bytes, fields.data.org).catch(() => undefined);
}

/** The hex key of a caller (for logs and tests). */
export function deviceHex(signingKey: Uint8Array): string {
  return toHex(signingKey);
}
