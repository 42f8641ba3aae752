import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One document of the backlog as PouchDB sees it. */
export interface PouchItem {
  readonly id: string;
  readonly kind: string;
  readonly body: Uint8Array;
  readonly media?: string;
}

interface PouchDb {
  put(doc: object): Promise<unknown>;
  replicate: { to(url: string, opts?: object): Promise<{ docs_written: number }> };
  close(): Promise<void>;
}
type PouchCtor = (new (name: string) => PouchDb) & { defaults(o: object): PouchCtor };

/**
 * The peer of the link bench: PouchDB (pouchdb-node) replicating the same documents and
 * attachments to express-pouchdb. The server listens on the root loopback; `urlFor` maps its port
 * to the one that crosses the shaped link. Returns the replication's wall time in ms.
 */
export async function pouchReplicate(
  items: readonly PouchItem[],
  urlFor: (serverPort: number) => Promise<string>,
): Promise<{ ms: number; docs: number }> {
  const require = createRequire(import.meta.url);
  const PouchDB = require('pouchdb-node') as PouchCtor;
  const expressPouch = require('express-pouchdb') as (
    p: PouchCtor,
    o: object,
  ) => { listen(port: number, cb: () => void): Server };
  const dir = mkdtempSync(join(tmpdir(), 'fk-pouch-'));
  const Remote = PouchDB.defaults({ prefix: join(dir, 'srv-') });
  const app = expressPouch(Remote, { mode: 'minimumForPouchDB', logPath: join(dir, 'log.txt') });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, () => resolve(s));
  });
  try {
    const local = new PouchDB(join(dir, 'local'));
    for (const it of items)
      await local.put({
        _id: it.id,
        kind: it.kind,
        ...(it.media
          ? { _attachments: { data: { content_type: it.media, data: Buffer.from(it.body) } } }
          : { body: Buffer.from(it.body).toString('base64') }),
      });
    const url = `${await urlFor((server.address() as { port: number }).port)}/backlog`;
    const started = Date.now();
    const result = await local.replicate.to(url);
    const ms = Date.now() - started;
    await local.close();
    return { ms, docs: result.docs_written };
  } finally {
    server.close();
    (server as { closeAllConnections?: () => void }).closeAllConnections?.();
    rmSync(dir, { recursive: true, force: true });
  }
}
