import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importCycles, importGraph } from './helpers/import-graph.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('import circles', () => {
  it('store/ and crypto/ have none (type-only and dynamic imports included)', () => {
    const graph = importGraph(root, ['store', 'crypto']);
    expect(graph.size).toBeGreaterThan(40);
    expect(importCycles(graph)).toEqual([]);
  });

  it('the detector finds a circle through a type-only import, a longer one and a self-import', () => {
    const graph = new Map([
      ['record-store.ts', ['backup.ts', 'context.ts']],
      ['backup.ts', ['record-store.ts']],
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts', 'context.ts']],
      ['context.ts', []],
      ['self.ts', ['self.ts']],
    ]);
    expect(importCycles(graph)).toEqual([
      ['backup.ts', 'record-store.ts'],
      ['a.ts', 'b.ts', 'c.ts'],
      ['self.ts'],
    ]);
  });

  it('the real graph sees a type-only import (what the old RecordStore circle was made of)', () => {
    const graph = importGraph(root, ['store']);
    // record-store.ts needs the context type only: the edge must still be in the graph.
    expect(graph.get('store/record-store.ts')).toContain('store/engine/context.ts');
  });
});
