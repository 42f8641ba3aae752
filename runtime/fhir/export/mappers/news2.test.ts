import { describe, expect, it } from 'vitest';
import { bloodPressureMeasurement } from '../../../../ble-devices/codecs/blood-pressure.ts';
import { tempStores } from '../../../../store/test-fixtures.ts';
import { RU_CORE } from '../../profiles/index.ts';
import { fhirProblems } from '../../testing/fhir-validator.ts';
import { num, readingInputs } from '../../testing/full-visit.ts';
import { KitNames } from '../refs.ts';
import { toNews2Observation, visitNews2 } from './news2.ts';

const temp = tempStores();

describe('NEWS2 in the export', () => {
  it('an incomplete set is a lower bound: >= total, preliminary, the missing parts absent with a reason', async () => {
    const store = await temp.open();
    const visit = await store.openVisit({ patientId: null, openedAt: '2026-11-22T09:00:00Z' });
    const where = { visitId: visit.id, patientId: null };
    const cuff = { id: 'AA:BB:CC:00:00:01', name: 'A&D UA-651BLE' };
    const bp = {
      unit: 'mmHg' as const,
      systolic: num(88),
      diastolic: num(50),
      meanArterial: num(63),
      timestamp: null,
      pulseRate: num(135),
      userId: null,
      status: 0,
    };
    await store.addObservations(
      readingInputs(bloodPressureMeasurement, bp, where, cuff, new Date('2026-11-22T09:05:00Z')),
    );
    const observations = await store.observationsByVisit(visit.id);
    const n = visitNews2(observations)!;
    // Systolic 88 scores 3, pulse 135 scores 3: at least 6, a single 3 present.
    expect(n.result.total).toBe(6);
    const ctx = { names: new KitNames(new Uint8Array(32)), profile: RU_CORE };
    const obs = toNews2Observation(visit, n, ctx);
    expect(fhirProblems(obs)).toEqual([]);
    expect(obs.status).toBe('preliminary');
    expect(obs.valueQuantity).toMatchObject({ value: 6, comparator: '>=' });
    expect(obs.subject).toBeUndefined();
    expect(obs.interpretation?.[0]?.coding?.[0]?.code).toBe('medium');
    const parts = obs.component?.map((c) => [
      c.code.coding?.[1]?.code,
      c.valueQuantity?.value ?? c.dataAbsentReason?.coding?.[0]?.code,
    ]);
    expect(parts).toEqual([
      ['respirationRate', 'not-performed'],
      ['spo2-scale1', 'not-performed'],
      ['oxygen', 'not-performed'],
      ['systolic', 3],
      ['pulse', 3],
      ['consciousness', 'not-performed'],
      ['temperature', 'not-performed'],
    ]);
    expect(obs.note?.[0]?.text).toMatch(/lower bound/);
  });

  it('nothing to score gives no NEWS2', () => {
    expect(visitNews2([])).toBeUndefined();
  });
});
