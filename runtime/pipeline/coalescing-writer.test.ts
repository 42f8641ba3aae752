import { describe, expect, it } from 'vitest';
import type { ObservationInput, ObservationRecord } from '../../store/schema/observation.ts';
import { tempStores } from '../../store/test-fixtures.ts';
import { sampleObservation } from '../../store/testing.ts';
import { CoalescingWriter } from './coalescing-writer.ts';
import type { ObservationWriter } from './pipeline.ts';

const stores = tempStores({ prefix: 'fieldkit-coalesce-' });

/** The real encrypted store, with each call it receives recorded (how many inputs). */
async function countedStore(): Promise<{
  writer: ObservationWriter;
  calls: number[];
  all: () => Promise<number>;
}> {
  const store = await stores.open();
  const calls: number[] = [];
  return {
    calls,
    writer: {
      addObservations(inputs: ObservationInput[]): Promise<ObservationRecord[]> {
        calls.push(inputs.length);
        return store.addObservations(inputs);
      },
    },
    all: async () => (await store.recentObservations(1000)).length,
  };
}

describe('CoalescingWriter (real store in a temp dir)', () => {
  it('gathers the calls of its window into one store call; each caller gets its own records', async () => {
    const s = await countedStore();
    const w = new CoalescingWriter(s.writer, 20);
    const results = await Promise.all([
      w.addObservations([sampleObservation(1), sampleObservation(2)]),
      w.addObservations([sampleObservation(3)]),
      w.addObservations([sampleObservation(4), sampleObservation(5), sampleObservation(6)]),
    ]);
    expect(s.calls).toEqual([6]);
    expect(results.map((r) => r.map((o) => o.provenance.raw[5]))).toEqual([[1, 2], [3], [4, 5, 6]]);
    expect(await s.all()).toBe(6);
  });

  it('a refused reading fails alone: its neighbours in the same gathering are stored', async () => {
    const s = await countedStore();
    const w = new CoalescingWriter(s.writer, 20);
    const bad = {
      ...sampleObservation(8),
      value: { kind: 'quantity', value: Number.NaN },
    } as unknown as ObservationInput;
    const settled = await Promise.allSettled([
      w.addObservations([sampleObservation(7)]),
      w.addObservations([bad]),
      w.addObservations([sampleObservation(9)]),
    ]);
    expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    // The gathered call, then each caller's inputs on their own.
    expect(s.calls).toEqual([3, 1, 1, 1]);
    expect(await s.all()).toBe(2);
  });

  it('flush hands over at once, without waiting for the window', async () => {
    const s = await countedStore();
    const w = new CoalescingWriter(s.writer, 60_000);
    const pending = w.addObservations([sampleObservation(1)]);
    expect(s.calls).toEqual([]);
    w.flush();
    expect(s.calls).toEqual([1]);
    expect(await pending).toHaveLength(1);
  });

  it('a window of 0 passes each call straight through; a bad window is refused', async () => {
    const s = await countedStore();
    const w = new CoalescingWriter(s.writer, 0);
    await Promise.all([w.addObservations([sampleObservation(1)]), w.addObservations([sampleObservation(2)])]);
    expect(s.calls).toEqual([1, 1]);
    expect(() => new CoalescingWriter(s.writer, Number.NaN)).toThrow(RangeError);
    expect(() => new CoalescingWriter(s.writer, -1)).toThrow(RangeError);
  });
});
