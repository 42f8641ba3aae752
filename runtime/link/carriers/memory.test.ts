import { runCarrierTests } from '../../../test/carrier-acceptance.ts';
import type { MemoryPair } from './memory.ts';
import { createMemoryPair } from './memory.ts';

const peer = (n: number) => ({ signingKey: new Uint8Array(32).fill(n) });

runCarrierTests('memory', () => {
  let current: MemoryPair | undefined;
  let cut = false;
  return Promise.resolve({
    pair: () => {
      current = createMemoryPair({ a: peer(1), b: peer(2), latencyMs: 2 });
      current.setCut(cut);
      return Promise.resolve({ near: current.a, far: current.b });
    },
    cut: () => {
      cut = true;
      current?.setCut(true);
      return Promise.resolve();
    },
    heal: () => {
      cut = false;
      return Promise.resolve();
    },
    kill: () => current?.setCut(true),
    teardown: () => Promise.resolve(),
  });
});
