import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { glucoseMeasurement } from '../../ble-devices/codecs/glucose.ts';
import { racpResponse } from '../../ble-devices/codecs/racp.ts';
import { asDeviceId, TransportError } from '../../ble-devices/transport.ts';
import { SimAttError } from '../gatt/att-error.ts';
import { SimTransport } from '../transport/sim-transport.ts';
import { createSimGlucoseMeter, type SimGlucoseMeter } from './glucose-meter.ts';

const h = (s: string) => Uint8Array.from(Buffer.from(s.replace(/ /g, ''), 'hex'));

/** A collector on the raw SimTransport: records, RACP answers, and a way to wait for the end. */
async function collector(meter: SimGlucoseMeter, subscribe = true) {
  const transport = new SimTransport([meter.peripheral]);
  const conn = await transport.connect(asDeviceId(meter.peripheral.id));
  const records: number[] = [];
  const answers: string[] = [];
  if (subscribe) {
    await conn.subscribe('1808', '2a18', 'notify', (v) =>
      records.push(glucoseMeasurement.decode(v).sequenceNumber),
    );
    await conn.subscribe('1808', '2a52', 'indicate', (v) => answers.push(Buffer.from(v).toString('hex')));
  }
  const answer = async (n = answers.length + 1): Promise<string> => {
    const end = Date.now() + 5000;
    while (answers.length < n) {
      if (Date.now() > end) throw new Error('no RACP answer');
      await new Promise((r) => setTimeout(r, 2));
    }
    return answers[n - 1]!;
  };
  return { transport, conn, records, answers, answer };
}

describe('simulated glucose meter RACP (GLS record access)', () => {
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    for (const t of open.splice(0)) await t.close();
  });
  const meter = (o: Partial<Parameters<typeof createSimGlucoseMeter>[0]> = {}) =>
    createSimGlucoseMeter({ id: 'racp', records: 12, recordIntervalMs: 1, ...o });

  it('reports the number of records and sends all, >=, <=, a range, the first and the last', async () => {
    const c = await collector(meter());
    open.push(c.transport);
    const ask = async (req: string) => {
      c.records.length = 0;
      await c.conn.write('1808', '2a52', h(req));
      return c.answer();
    };
    expect(await ask('04 01')).toBe('05000c00');
    expect(await ask('04 03 01 0a 00')).toBe('05000300');
    expect(await ask('01 01')).toBe('06000101');
    expect(c.records).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(await ask('01 03 01 0a 00')).toBe('06000101');
    expect(c.records).toEqual([10, 11, 12]);
    expect(await ask('01 02 01 02 00')).toBe('06000101');
    expect(c.records).toEqual([1, 2]);
    expect(await ask('01 04 01 04 00 06 00')).toBe('06000101');
    expect(c.records).toEqual([4, 5, 6]);
    expect(await ask('01 05')).toBe('06000101');
    expect(c.records).toEqual([1]);
    expect(await ask('01 06')).toBe('06000101');
    expect(c.records).toEqual([12]);
    expect(await ask('01 03 01 0d 00')).toBe('06000106'); // no records found
  });

  it('answers with the right response codes to what it does not support', async () => {
    const c = await collector(meter());
    open.push(c.transport);
    const ask = async (req: string) => {
      await c.conn.write('1808', '2a52', h(req));
      return c.answer();
    };
    expect(await ask('07 01')).toBe('06000702'); // op code not supported (combined report)
    expect(await ask('01 00')).toBe('06000103'); // null operator is invalid
    expect(await ask('01 03 02 e8 07 01 01 00 00 00')).toBe('06000109'); // user-facing time: unsupported
    expect(await ask('01 04 01 09 00 02 00')).toBe('06000105'); // range upside down
    expect(await ask('01 03 07 01 00')).toBe('06000109'); // unknown filter type
  });

  it('refuses with ATT 0x81 before indications are on, 0x80 while a transfer runs; abort stops it', async () => {
    const m = meter({ records: 200, recordIntervalMs: 5 });
    const c = await collector(m, false);
    open.push(c.transport);
    await expect(c.conn.write('1808', '2a52', h('01 01'))).rejects.toThrow(/ATT error 0x81/);
    await c.conn.subscribe('1808', '2a52', 'indicate', (v) => c.answers.push(Buffer.from(v).toString('hex')));
    // RACP on, but the record notifications are not: still 0x81 for a report.
    await expect(c.conn.write('1808', '2a52', h('01 01'))).rejects.toThrow(/ATT error 0x81/);
    await c.conn.subscribe('1808', '2a18', 'notify', (v) =>
      c.records.push(glucoseMeasurement.decode(v).sequenceNumber),
    );
    await c.conn.write('1808', '2a52', h('01 01'));
    const refused = await c.conn.write('1808', '2a52', h('04 01')).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TransportError);
    expect(String(refused)).toMatch(/ATT error 0x80/);
    await new Promise((r) => setTimeout(r, 30));
    await c.conn.write('1808', '2a52', h('03 00'));
    expect(await c.answer()).toBe('06000301');
    const got = c.records.length;
    expect(got).toBeGreaterThan(0);
    expect(got).toBeLessThan(200);
    await new Promise((r) => setTimeout(r, 40));
    expect(c.records.length).toBe(got);
  });

  it('deletes records on request and numbers new ones after the last', async () => {
    const m = meter();
    const c = await collector(m);
    open.push(c.transport);
    await c.conn.write('1808', '2a52', h('02 02 01 05 00'));
    expect(await c.answer()).toBe('06000201');
    expect(m.recordCount).toBe(7);
    m.addRecords(2);
    expect(m.lastSequence).toBe(14);
    await c.conn.write('1808', '2a52', h('01 01'));
    await c.answer();
    expect(c.records).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14]);
  });

  it('drops the link after the configured number of records of the first transfer only', async () => {
    const m = meter({ racpDropAfter: 4 });
    const c = await collector(m);
    open.push(c.transport);
    const lost = new Promise<string>((r) => c.conn.onDisconnect(r));
    await c.conn.write('1808', '2a52', h('01 01'));
    expect(await lost).toMatch(/RACP transfer/);
    await new Promise((r) => setImmediate(r));
    expect(c.records).toEqual([1, 2, 3, 4]);
    const again = await collector(m);
    open.push(again.transport);
    await again.conn.write('1808', '2a52', h('01 03 01 05 00'));
    expect(await again.answer()).toBe('06000101');
    expect(again.records).toEqual(range(5, 12));
  });

  it('serves 500 records in one transfer', async () => {
    const m = createSimGlucoseMeter({ id: 'racp-500', recordIntervalMs: 0 });
    const c = await collector(m);
    open.push(c.transport);
    await c.conn.write('1808', '2a52', h('04 01'));
    expect(await c.answer()).toBe('0500f401');
    await c.conn.write('1808', '2a52', h('01 01'));
    expect(await c.answer()).toBe('06000101');
    expect(c.records).toEqual(range(1, 500));
  });

  it('answers any bytes written to RACP with a response or an ATT error, never anything else', async () => {
    const m = meter({ records: 3, recordIntervalMs: 0 });
    const c = await collector(m);
    open.push(c.transport);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 20 }), async (bytes) => {
        const n = c.answers.length;
        try {
          await c.conn.write('1808', '2a52', bytes);
        } catch (err) {
          expect(err).toBeInstanceOf(TransportError);
          expect((err as TransportError).code).not.toBe('not_connected');
          return;
        }
        // Every accepted write gets exactly one answer; finish any transfer it started.
        const answer = await c.answer(n + 1);
        expect(() => racpResponse.decode(Buffer.from(answer, 'hex'))).not.toThrow();
        await new Promise((r) => setTimeout(r, 2));
      }),
      { numRuns: 300 },
    );
    expect(new SimAttError(0x80, 'x').message).toMatch(/0x80/);
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
