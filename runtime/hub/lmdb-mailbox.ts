import { Bitset } from '../link/bitset.ts';
import { blockCount } from '../link/frames.ts';
import { buildManifest } from '../link/manifest.ts';
import type { LinkKv, LinkRecordBody, LinkTx } from '../link/link-kv.ts';
import { deleteBlockRecords, putBlockRecords, readBlockRecords } from '../link/link-kv.ts';
import type { Mailbox, MailboxEntry, MailboxObjectState, MailboxRoute, MailboxStats } from './mailbox.ts';

/*
 * Layout (link records of the hub's own encrypted store):
 *   mbx/o/<id>                      object: state, size, route, arrival order, devices waiting
 *   mbx/h/<id>                      manifest (SHA-256 per block)
 *   mbx/u/<id>                      blocks held of a partial upload (bitset)
 *   mbx/b/<id>/<block>              block bytes
 *   mbx/q/<device>/<pri>/<order>    queue entry: key order is send order
 *   mbx/seq                         arrival counter
 */
const P = 'mbx/';
const obj = (id: string) => `${P}o/${id}`;
const man = (id: string) => `${P}h/${id}`;
const bits = (id: string) => `${P}u/${id}`;
const blocks = (id: string) => `${P}b/${id}/`;
const queueOf = (device: string) => `${P}q/${device}/`;
const queueKey = (device: string, pri: number, order: number) =>
  `${queueOf(device)}${pri}/${order.toString(16).padStart(12, '0')}`;
const SEQ = `${P}seq`;

interface ObjectRecord extends LinkRecordBody {
  state: 'partial' | 'held' | 'gone';
  size: number;
  from: string;
  at: number;
  route?: MailboxRoute;
  order?: number;
  waiting?: string[];
}

function readObject(body: LinkRecordBody | undefined): ObjectRecord | undefined {
  return body as ObjectRecord | undefined;
}

/**
 * The embedded mailbox: LMDB through the hub's record store (sealed at rest, group-committed,
 * each write durable before it resolves). One process, one machine.
 */
export class LmdbMailbox implements Mailbox {
  readonly #kv: LinkKv;
  readonly #listeners = new Set<(devices: readonly string[]) => void>();

  constructor(kv: LinkKv) {
    this.#kv = kv;
  }

  async begin(id: string, size: number, hashes: Uint8Array, from: string): Promise<MailboxObjectState> {
    return this.#kv.linkTransaction((tx): MailboxObjectState => {
      const o = readObject(tx.get(obj(id)));
      if (o && o.state !== 'partial') return { state: o.state };
      const n = blockCount(size);
      if (o && o.size === size) {
        const held = tx.get(bits(id))?.bits;
        return { state: 'partial', have: new Bitset(n, held instanceof Uint8Array ? held : undefined) };
      }
      if (o) deleteBlockRecords(tx, blocks(id), o.size);
      const record: ObjectRecord = { state: 'partial', size, from, at: Date.now() };
      tx.put(obj(id), record);
      tx.put(man(id), { hashes });
      tx.put(bits(id), { bits: new Bitset(n).bits });
      return { state: 'partial', have: new Bitset(n) };
    });
  }

  async putBlocks(id: string, first: number, count: number, data: Uint8Array): Promise<void> {
    await this.#kv.linkTransaction((tx) => {
      const o = readObject(tx.get(obj(id)));
      if (o?.state !== 'partial') return;
      const held = tx.get(bits(id))?.bits;
      const have = new Bitset(blockCount(o.size), held instanceof Uint8Array ? held : undefined);
      putBlockRecords(tx, blocks(id), first, count, data);
      have.setRange(first, count);
      tx.put(bits(id), { bits: have.bits });
    });
  }

  async readAll(id: string): Promise<Uint8Array> {
    const o = readObject(await this.#kv.linkGet(obj(id)));
    if (!o || o.state === 'gone') throw new Error(`no bytes for ${id}`);
    return readBlockRecords(this.#kv, blocks(id), o.size, 0, blockCount(o.size));
  }

  async commit(id: string, route: MailboxRoute): Promise<'stored' | 'duplicate'> {
    const outcome = await this.#kv.linkTransaction((tx) => {
      const o = readObject(tx.get(obj(id)));
      if (!o) throw new Error(`commit of unknown upload ${id}`);
      if (o.state !== 'partial') return 'duplicate' as const;
      tx.delete(bits(id));
      this.#queue(tx, id, o, route);
      return 'stored' as const;
    });
    if (outcome === 'stored') this.#notify(route.recipients);
    return outcome;
  }

  async putWhole(id: string, bytes: Uint8Array, route: MailboxRoute): Promise<'stored' | 'duplicate'> {
    const manifest = buildManifest(bytes);
    const outcome = await this.#kv.linkTransaction((tx) => {
      const o = readObject(tx.get(obj(id)));
      if (o && o.state !== 'partial') return 'duplicate' as const;
      if (o) deleteBlockRecords(tx, blocks(id), o.size);
      tx.delete(bits(id));
      putBlockRecords(tx, blocks(id), 0, blockCount(bytes.byteLength), bytes);
      tx.put(man(id), { hashes: manifest });
      this.#queue(
        tx,
        id,
        { state: 'partial', size: bytes.byteLength, from: route.from, at: Date.now() },
        route,
      );
      return 'stored' as const;
    });
    if (outcome === 'stored') this.#notify(route.recipients);
    return outcome;
  }

  #queue(tx: LinkTx, id: string, o: ObjectRecord, route: MailboxRoute): void {
    const seq = Number(tx.get(SEQ)?.n ?? 0) + 1;
    tx.put(SEQ, { n: seq });
    const waiting = [...new Set(route.recipients)];
    const record: ObjectRecord = {
      ...o,
      state: 'held',
      route: { ...route, recipients: waiting },
      order: seq,
      waiting,
    };
    tx.put(obj(id), record);
    for (const device of waiting) tx.put(queueKey(device, route.priority, seq), { id });
  }

  async discard(id: string): Promise<void> {
    await this.#kv.linkTransaction((tx) => {
      const o = readObject(tx.get(obj(id)));
      if (o?.state !== 'partial') return;
      deleteBlockRecords(tx, blocks(id), o.size);
      tx.delete(bits(id));
      tx.delete(man(id));
      tx.delete(obj(id));
    });
  }

  async state(id: string): Promise<MailboxObjectState> {
    const o = readObject(await this.#kv.linkGet(obj(id)));
    if (!o) return { state: 'none' };
    if (o.state !== 'partial') return { state: o.state };
    const held = (await this.#kv.linkGet(bits(id)))?.bits;
    return {
      state: 'partial',
      have: new Bitset(blockCount(o.size), held instanceof Uint8Array ? held : undefined),
    };
  }

  async pending(device: string, limit: number): Promise<MailboxEntry[]> {
    const out: MailboxEntry[] = [];
    for (const entry of await this.#kv.linkScan(queueOf(device), limit)) {
      const id = entry.body.id;
      if (typeof id !== 'string') continue;
      const o = readObject(await this.#kv.linkGet(obj(id)));
      if (o?.state !== 'held' || !o.route || o.order === undefined) continue;
      out.push({ id, size: o.size, priority: o.route.priority, order: o.order });
    }
    return out;
  }

  async hashes(id: string): Promise<Uint8Array> {
    const h = (await this.#kv.linkGet(man(id)))?.hashes;
    if (!(h instanceof Uint8Array)) throw new Error(`no manifest for ${id}`);
    return h;
  }

  async read(id: string, first: number, count: number): Promise<Uint8Array> {
    const o = readObject(await this.#kv.linkGet(obj(id)));
    if (o?.state !== 'held') throw new Error(`${id} is not held`);
    return readBlockRecords(this.#kv, blocks(id), o.size, first, count);
  }

  async delivered(device: string, id: string): Promise<MailboxRoute | undefined> {
    return this.#kv.linkTransaction((tx) => {
      const o = readObject(tx.get(obj(id)));
      if (o?.state !== 'held' || !o.route || o.order === undefined) return o?.route;
      const waiting = (o.waiting ?? []).filter((d) => d !== device);
      tx.delete(queueKey(device, o.route.priority, o.order));
      if (waiting.length > 0) {
        tx.put(obj(id), { ...o, waiting });
        return o.route;
      }
      deleteBlockRecords(tx, blocks(id), o.size);
      tx.delete(man(id));
      // The tombstone keeps the id, route and size: a replay of a delivered object is refused.
      const gone: ObjectRecord = {
        state: 'gone',
        size: o.size,
        from: o.from,
        at: o.at,
        route: o.route,
        waiting: [],
      };
      tx.put(obj(id), gone);
      return o.route;
    });
  }

  onDeposit(listener: (devices: readonly string[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #notify(devices: readonly string[]): void {
    for (const l of [...this.#listeners]) l(devices);
  }

  async stats(): Promise<MailboxStats> {
    let held = 0;
    let partial = 0;
    for (const e of await this.#kv.linkScan(`${P}o/`)) {
      if (e.body.state === 'held') held++;
      else if (e.body.state === 'partial') partial++;
    }
    return { held, partial, queued: await this.#kv.linkCount(`${P}q/`) };
  }
}
