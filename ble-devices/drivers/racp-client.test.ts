import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CodecError } from '../codecs/errors.ts';
import { asDeviceId, TransportError, type GattConnection, type SubscribeMode } from '../transport.ts';
import { RacpClient, RacpError } from './racp-client.ts';

/** A scripted control point: answers each write with what `reply` returns, as indications. */
function fakeMeter(reply: (written: Uint8Array) => Uint8Array[]) {
  let indicate: (v: Uint8Array) => void = () => undefined;
  const lost = new Set<(reason: string) => void>();
  const written: string[] = [];
  const conn: GattConnection = {
    id: asDeviceId('fake'),
    read: () => Promise.reject(new TransportError('no_such_characteristic', 'none')),
    write: (_s, _c, value) => {
      written.push(Buffer.from(value).toString('hex'));
      for (const v of reply(value)) setTimeout(() => indicate(v), 1);
      return Promise.resolve();
    },
    subscribe: (_s: string, _c: string, _m: SubscribeMode, onValue: (v: Uint8Array) => void) => {
      indicate = onValue;
      return Promise.resolve(() => Promise.resolve());
    },
    onDisconnect: (l) => {
      lost.add(l);
      return () => lost.delete(l);
    },
    disconnect: () => Promise.resolve(),
  };
  return {
    conn,
    written,
    indicate: (v: Uint8Array) => indicate(v),
    drop: () => lost.forEach((l) => l('gone')),
    lost,
  };
}

describe('RACP client', () => {
  it('asks counts and reports and ends on the final response only', async () => {
    const m = fakeMeter((w) => (w[0] === 4 ? [Uint8Array.of(5, 0, 7, 0)] : [Uint8Array.of(6, 0, 1, 1)]));
    const racp = await RacpClient.open(m.conn, { service: '1808' });
    expect(await racp.count({ from: 5 })).toBe(7);
    expect(await racp.report({ all: true })).toBe('success');
    expect(m.written).toEqual(['0403010500', '0101']);
    expect(m.lost.size).toBe(0);
  });

  it('reports no records, refuses other response codes with a typed error', async () => {
    const codes = [6, 2];
    const m = fakeMeter(() => [Uint8Array.of(6, 0, 1, codes.shift()!)]);
    const racp = await RacpClient.open(m.conn, { service: '1808' });
    expect(await racp.report({ from: 3 })).toBe('no_records');
    await expect(racp.report({ all: true })).rejects.toMatchObject({ code: 'refused', responseCode: 2 });
  });

  it('gives up after the idle timeout and aborts the procedure on the meter', async () => {
    const m = fakeMeter(() => []);
    const racp = await RacpClient.open(m.conn, { service: '1808', idleTimeoutMs: 50 });
    await expect(racp.report({ all: true })).rejects.toBeInstanceOf(RacpError);
    expect(m.written).toEqual(['0101', '0300']);
  });

  it('keeps waiting while records arrive, and ends at once when the link drops', async () => {
    const m = fakeMeter(() => []);
    const racp = await RacpClient.open(m.conn, { service: '1808', idleTimeoutMs: 60 });
    const pending = racp.report({ all: true });
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 30));
      racp.activity();
    }
    m.drop();
    await expect(pending).rejects.toMatchObject({ code: 'not_connected' });
    expect(m.lost.size).toBe(0);
  });

  it('aborts when the caller signal fires', async () => {
    const m = fakeMeter(() => []);
    const racp = await RacpClient.open(m.conn, { service: '1808' });
    const ac = new AbortController();
    const pending = racp.report({ all: true }, ac.signal);
    ac.abort();
    await expect(pending).rejects.toMatchObject({ code: 'aborted' });
    expect(m.written).toEqual(['0101', '0300']);
  });

  it('never throws on arbitrary indication bytes: unreadable ones are reported, the rest ignored', () => {
    const m = fakeMeter(() => []);
    const garbage: CodecError[] = [];
    return RacpClient.open(m.conn, { service: '1808', onGarbage: (_raw, e) => garbage.push(e) }).then(() => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
          expect(() => m.indicate(bytes)).not.toThrow();
        }),
        { numRuns: 500 },
      );
      expect(garbage.length).toBeGreaterThan(0);
    });
  });
});
