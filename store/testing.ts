import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ObservationInput } from './schema/observation.ts';

/**
 * Light Argon2id parameters for tests only (the minimum libsodium accepts), so a test suite
 * that opens hundreds of stores stays fast. Never use outside tests.
 */
export const TEST_KDF = { opsLimit: 1, memLimitBytes: 8 * 1024 };

/** A fresh temp directory for one store; returns it and a cleanup function. */
export function tempDir(prefix = 'fieldkit-store-'): { dir: string; cleanup: () => void } {
  const base = mkdtempSync(join(tmpdir(), prefix));
  return { dir: join(base, 'data'), cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

/** A realistic SpO2 observation, varied by `i`, for tests and benchmarks. */
export function sampleObservation(
  i: number,
  visitId: string | null = 'v-1',
  patientId: string | null = 'p-1',
) {
  return {
    visitId,
    patientId,
    code: { loinc: '59408-5', display: 'Oxygen saturation in Arterial blood by Pulse oximetry', mdc: 150456 },
    value: { kind: 'quantity', value: 90 + (i % 10), precision: 0, unit: '%' },
    components: [],
    status: 'final',
    category: 'vital-signs',
    effectiveAt: new Date(Date.UTC(2025, 0, 1, 8, 0, 0) + i * 1000).toISOString(),
    provenance: {
      deviceId: 'sim-oximeter-01',
      deviceName: 'Simulated PLX',
      characteristic: '2a5f',
      codec: 'plx-continuous',
      codecVersion: '1.0.0',
      raw: Uint8Array.from([0x00, 0x62, 0x00, 0x48, 0x00, i & 0xff]),
    },
  } satisfies ObservationInput;
}
