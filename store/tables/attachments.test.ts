import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CHUNK_BYTES } from './attachments.ts';
import { keyOfId } from '../engine/ids.ts';
import { tempStores } from '../test-fixtures.ts';
import { contextOf } from '../record-store.ts';

const temp = tempStores();

async function* pieces(data: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.byteLength; i += size) {
    yield data.subarray(i, i + size);
    await Promise.resolve();
  }
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const p of source) parts.push(p);
  return Buffer.concat(parts);
}

function ecgWaveform(samples: number): Uint8Array {
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++) out[i] = Math.round(800 * Math.sin(i / 40) + (i % 250 < 8 ? 3000 : 0));
  return new Uint8Array(out.buffer);
}

describe('blobs', () => {
  it('round-trips a photo streamed in odd-sized pieces', async () => {
    const s = await temp.open();
    const photo = randomBytes(CHUNK_BYTES * 3 + 1234);
    const meta = await s.putBlob(
      { kind: 'photo', mediaType: 'image/jpeg', visitId: 'v-1' },
      pieces(photo, 10_000),
    );
    expect(meta).toMatchObject({ size: photo.byteLength, chunkCount: 4, compression: 'none' });
    expect((await collect(s.readBlob(meta.id))).equals(photo)).toBe(true);
    // Listing a visit's attachments is a read of patient data: it is audited like any other.
    const attachmentReads = async () => {
      await contextOf(s).batcher.drain();
      const reads = (await s.readAudit()).filter((e) => e.action === 'read' && e.table === 'attachments');
      return reads.flatMap((e) => e.recordIds);
    };
    const before = await attachmentReads();
    expect((await s.attachmentsByVisit('v-1')).map((a) => a.id)).toEqual([meta.id]);
    expect(await attachmentReads()).toEqual([...before, meta.id]);
  });

  it('compresses waveforms before encrypting them', async () => {
    const s = await temp.open();
    const ecg = ecgWaveform(500 * 60 * 2); // two minutes at 500 Hz
    const meta = await s.putBlob({ kind: 'ecg', mediaType: 'application/x-ecg-int16' }, pieces(ecg, 4096));
    expect(meta.compression).toBe('deflate');
    expect(meta.storedBytes).toBeLessThan(ecg.byteLength / 2);
    expect((await collect(s.readBlob(meta.id))).equals(Buffer.from(ecg))).toBe(true);
  });

  it('reports a missing chunk as blob_incomplete naming the blob', async () => {
    const s = await temp.open();
    const meta = await s.putBlob(
      { kind: 'photo', mediaType: 'image/jpeg' },
      pieces(randomBytes(CHUNK_BYTES * 2 + 5), 65536),
    );
    const chunkKey = Buffer.concat([keyOfId('a', meta.id, 'attachments'), Buffer.from([0, 0, 0, 1])]);
    await contextOf(s).dbs.chunks.remove(chunkKey);
    await expect(collect(s.readBlob(meta.id))).rejects.toMatchObject({
      code: 'blob_incomplete',
      recordId: meta.id,
    });
  });

  it('reports a missing chunk of a compressed waveform as blob_incomplete instead of hanging', async () => {
    const s = await temp.open();
    const ecg = randomBytes(CHUNK_BYTES * 3); // noise: deflate keeps it at several chunks
    const meta = await s.putBlob({ kind: 'ecg', mediaType: 'application/x-ecg-int16' }, pieces(ecg, 8192));
    expect(meta).toMatchObject({ compression: 'deflate' });
    expect(meta.chunkCount).toBeGreaterThan(1);
    const chunkKey = Buffer.concat([keyOfId('a', meta.id, 'attachments'), Buffer.from([0, 0, 0, 1])]);
    await contextOf(s).dbs.chunks.remove(chunkKey);
    await expect(collect(s.readBlob(meta.id))).rejects.toMatchObject({
      code: 'blob_incomplete',
      recordId: meta.id,
    });
  });

  it('reports an altered chunk as integrity', async () => {
    const s = await temp.open();
    const meta = await s.putBlob({ kind: 'voice', mediaType: 'audio/ogg' }, pieces(randomBytes(1000), 1000));
    const chunkKey = Buffer.concat([keyOfId('a', meta.id, 'attachments'), Buffer.alloc(4)]);
    const value = Buffer.from(contextOf(s).dbs.chunks.get(chunkKey) ?? []);
    value[100] = (value[100] ?? 0) ^ 1;
    await contextOf(s).dbs.chunks.put(chunkKey, value);
    await expect(collect(s.readBlob(meta.id))).rejects.toMatchObject({ code: 'integrity' });
  });
});

describe('blob failures', () => {
  it('leaves no chunks behind when the source fails midway', async () => {
    const s = await temp.open();
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield randomBytes(CHUNK_BYTES * 2);
      await Promise.resolve();
      throw new Error('camera disconnected');
    }
    await expect(s.putBlob({ kind: 'photo', mediaType: 'image/jpeg' }, failing())).rejects.toThrow('camera');
    expect(contextOf(s).dbs.chunks.getCount()).toBe(0);
  });

  it('rejects (does not hang) when the source of a compressed waveform fails midway', async () => {
    const s = await temp.open();
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield randomBytes(CHUNK_BYTES * 2);
      await Promise.resolve();
      throw new Error('electrode lead off');
    }
    await expect(s.putBlob({ kind: 'ecg', mediaType: 'application/x-ecg' }, failing())).rejects.toThrow(
      'electrode',
    );
    expect(contextOf(s).dbs.chunks.getCount()).toBe(0);
  });
});
