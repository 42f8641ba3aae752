import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LinkPriority } from '../crypto/signed-item.ts';
import type { Mailbox, MailboxRoute } from '../runtime/hub/mailbox.ts';
import { BLOCK_BYTES, blockCount } from '../runtime/link/frames.ts';
import { buildManifest, sha256Hex } from '../runtime/link/manifest.ts';

/** What a mailbox implementation gives the shared suite. */
export interface MailboxFixture {
  readonly mailbox: Mailbox;
  /** Closes and reopens the same storage (durability); the fixture's `mailbox` is then the new one. */
  reopen(): Promise<Mailbox>;
  teardown(): Promise<void>;
}

const DOC_LAPTOP = 'a'.repeat(64);
const DOC_PHONE = 'b'.repeat(64);
const KIT = 'c'.repeat(64);

function route(priority: LinkPriority, recipients = [DOC_LAPTOP, DOC_PHONE]): MailboxRoute {
  return { to: 'spec-ivanova', priority, kind: 'envelope', from: KIT, recipients };
}

function object(size: number): { id: string; bytes: Uint8Array; hashes: Uint8Array } {
  const bytes = new Uint8Array(randomBytes(size));
  return { id: sha256Hex(bytes), bytes, hashes: buildManifest(bytes) };
}

/**
 * The behaviour every Mailbox must show (the embedded LMDB one, a distributed engine later):
 * durable commits, idempotence by id, priority order per device, resumable uploads, fan-out to
 * several devices, and tombstones that refuse a replay after delivery.
 */
export function runMailboxTests(name: string, setup: () => Promise<MailboxFixture>): void {
  describe(`Mailbox acceptance: ${name}`, () => {
    let f: MailboxFixture;
    beforeEach(async () => {
      f = await setup();
    });
    afterEach(async () => f.teardown());

    it('queues per device by priority then arrival, idempotently by id, and says who has news', async () => {
      const heard: string[][] = [];
      f.mailbox.onDeposit((d) => heard.push([...d]));
      const photo = object(5000);
      const urgent = object(300);
      const vitals = object(200);
      expect(await f.mailbox.putWhole(photo.id, photo.bytes, route(5))).toBe('stored');
      expect(await f.mailbox.putWhole(urgent.id, urgent.bytes, route(1))).toBe('stored');
      expect(await f.mailbox.putWhole(vitals.id, vitals.bytes, route(2, [DOC_PHONE]))).toBe('stored');
      expect(await f.mailbox.putWhole(urgent.id, urgent.bytes, route(1))).toBe('duplicate');
      expect((await f.mailbox.pending(DOC_LAPTOP, 10)).map((e) => e.id)).toEqual([urgent.id, photo.id]);
      expect((await f.mailbox.pending(DOC_PHONE, 10)).map((e) => e.id)).toEqual([
        urgent.id,
        vitals.id,
        photo.id,
      ]);
      expect(await f.mailbox.pending(KIT, 10)).toEqual([]);
      expect(heard).toHaveLength(3);
      expect(heard[2]).toEqual([DOC_PHONE]);
      const read = await f.mailbox.read(photo.id, 1, 1);
      expect(Buffer.from(read).equals(Buffer.from(photo.bytes.subarray(BLOCK_BYTES, 5000)))).toBe(true);
      expect(Buffer.from(await f.mailbox.hashes(photo.id)).equals(Buffer.from(photo.hashes))).toBe(true);
    });

    it('resumes a partial upload after reopening, holding exactly the blocks stored before', async () => {
      const big = object(BLOCK_BYTES * 5 + 123);
      const first = await f.mailbox.begin(big.id, big.bytes.byteLength, big.hashes, KIT);
      expect(first.state).toBe('partial');
      await f.mailbox.putBlocks(big.id, 0, 2, big.bytes.subarray(0, 2 * BLOCK_BYTES));
      await f.mailbox.putBlocks(big.id, 4, 2, big.bytes.subarray(4 * BLOCK_BYTES));
      const again = await f.reopen();
      const resumed = await again.begin(big.id, big.bytes.byteLength, big.hashes, KIT);
      expect(resumed.state === 'partial' && resumed.have.ranges()).toEqual([
        [0, 2],
        [4, 2],
      ]);
      await again.putBlocks(big.id, 2, 2, big.bytes.subarray(2 * BLOCK_BYTES, 4 * BLOCK_BYTES));
      expect(sha256Hex(await again.readAll(big.id))).toBe(big.id);
      expect(await again.commit(big.id, route(4))).toBe('stored');
      expect(await again.commit(big.id, route(4))).toBe('duplicate');
      expect((await again.begin(big.id, big.bytes.byteLength, big.hashes, KIT)).state).toBe('held');
      const reopened = await f.reopen();
      expect((await reopened.pending(DOC_LAPTOP, 10)).map((e) => e.id)).toEqual([big.id]);
      expect(sha256Hex(await reopened.read(big.id, 0, blockCount(big.bytes.byteLength)))).toBe(big.id);
    });

    it('frees an item once every device has it, and remembers the id so a replay is refused', async () => {
      const msg = object(900);
      await f.mailbox.putWhole(msg.id, msg.bytes, route(1));
      expect((await f.mailbox.delivered(DOC_LAPTOP, msg.id))?.from).toBe(KIT);
      expect(await f.mailbox.delivered(DOC_LAPTOP, msg.id)).toBeDefined();
      expect((await f.mailbox.state(msg.id)).state).toBe('held');
      expect(await f.mailbox.pending(DOC_LAPTOP, 10)).toEqual([]);
      expect((await f.mailbox.pending(DOC_PHONE, 10)).map((e) => e.id)).toEqual([msg.id]);
      await f.mailbox.delivered(DOC_PHONE, msg.id);
      expect((await f.mailbox.state(msg.id)).state).toBe('gone');
      await expect(f.mailbox.read(msg.id, 0, 1)).rejects.toThrow();
      expect(await f.mailbox.putWhole(msg.id, msg.bytes, route(1))).toBe('duplicate');
      expect((await f.mailbox.begin(msg.id, 900, buildManifest(msg.bytes), KIT)).state).toBe('gone');
      expect(await f.mailbox.stats()).toMatchObject({ held: 0, partial: 0, queued: 0 });
    });

    it('discards a refused upload completely', async () => {
      const bad = object(BLOCK_BYTES * 2);
      await f.mailbox.begin(bad.id, bad.bytes.byteLength, bad.hashes, KIT);
      await f.mailbox.putBlocks(bad.id, 0, 2, bad.bytes);
      await f.mailbox.discard(bad.id);
      expect((await f.mailbox.state(bad.id)).state).toBe('none');
      expect(await f.mailbox.stats()).toMatchObject({ held: 0, partial: 0 });
    });
  });
}
