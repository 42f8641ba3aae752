import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempStores } from '../test-fixtures.ts';
import { sampleObservation } from '../testing.ts';

const temp = tempStores();

/** Resident kB of this process's mappings of `file` (Linux /proc/self/smaps). */
function residentKb(file: string): number {
  let total = 0;
  let inFile = false;
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) inFile = line.endsWith(file);
    else if (inFile) {
      const rss = /^Rss:\s+(\d+) kB/.exec(line);
      if (rss) total += Number(rss[1]);
    }
  }
  return total;
}

describe('releaseMappedPages', () => {
  it('unmaps the pages a read of the store touched, and the store reads and writes on', async () => {
    const dir = temp.dir();
    const store = await temp.reopen(dir);
    const db = join(dir, 'records.mdb');
    const visit = await store.openVisit({ patientId: null, reason: 'map test' });
    // About 2 MB of sealed observations: well above the few pages an idle map keeps resident.
    for (let i = 0; i < 8; i++)
      await store.addObservations(
        Array.from({ length: 1000 }, (_, j) => sampleObservation(i * 1000 + j, visit.id, null)),
      );
    expect(await store.observationsByVisit(visit.id)).toHaveLength(8000);
    const touched = residentKb(db);
    expect(touched).toBeGreaterThan(1024);

    await store.releaseMappedPages();
    expect(residentKb(db)).toBeLessThan(touched / 4);

    // The same records, read through the new map; writes go on (and are read back).
    const again = await store.observationsByVisit(visit.id);
    expect(again).toHaveLength(8000);
    expect(again[7999]!.value).toEqual(sampleObservation(7999, visit.id, null).value);
    const [added] = await store.addObservations([sampleObservation(9000, visit.id, null)]);
    expect((await store.getObservation(added!.id)).effectiveAt).toBe(sampleObservation(9000).effectiveAt);
    expect(await store.verifyAudit()).toMatchObject({ ok: true });
  });

  it('waits for a write in progress, which commits whole', async () => {
    const store = await temp.open();
    const visit = await store.openVisit({ patientId: null, reason: 'write during release' });
    const writing = store.addObservations(
      Array.from({ length: 500 }, (_, j) => sampleObservation(j, visit.id, null)),
    );
    await store.releaseMappedPages();
    await writing;
    expect(await store.observationsByVisit(visit.id)).toHaveLength(500);
  });
});
