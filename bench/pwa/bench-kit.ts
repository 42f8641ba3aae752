import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseKitConfig } from '../../runtime/config.ts';
import { startKit, type KitHandle } from '../../runtime/kit.ts';
import { createLogger } from '../../runtime/log.ts';
import { createSimBpMonitor } from '../../sim/instruments/bp-monitor.ts';
import { createSimPulseOximeter } from '../../sim/instruments/pulse-oximeter.ts';
import type { SimInstrument } from '../../sim/instruments/sim-instrument.ts';
import { SimTransport } from '../../sim/transport/sim-transport.ts';
import { openStore, type RecordStore } from '../../store/index.ts';

/**
 * A kit for the tablet benchmark: a real store, the kit's real HTTPS (its own CA, which the
 * bench's Chromium trusts), as many simulated instruments as asked.
 */
export interface BenchKit {
  /** `https://localhost:<port>/`: the tablet app. */
  readonly url: string;
  /** The kit CA's root certificate (PEM), for the bench browser's trust store. */
  readonly caPem: string;
  readonly kit: KitHandle;
  readonly store: RecordStore;
  readonly instruments: readonly SimInstrument[];
  /** A patient and an open visit, for the visit screen. */
  readonly visitId: string;
  /** A fresh one-time pairing code for a feldsher tablet, as the kit's screen shows it. */
  pairingCode(): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts a kit with `oximeters` PLX pulse oximeters at `oximeterHz` and `cuffs` BP cuffs (the
 * two simulated instrument kinds that exist), all streaming through one SimTransport.
 */
export async function startBenchKit(opts: {
  oximeters: number;
  oximeterHz: number;
  cuffs: number;
  /** Another build of the tablet app to serve (comparing two builds side by side); pwa/dist by default. */
  staticRoot?: string;
}): Promise<BenchKit> {
  const base = mkdtempSync(join(tmpdir(), 'fieldkit-bench-pwa-'));
  const store = await openStore({
    path: join(base, 'data'),
    passphrase: 'bench-pwa',
    kdf: { opsLimit: 1, memLimitBytes: 8 * 1024 },
  });
  const instruments = [
    ...Array.from({ length: opts.oximeters }, (_, i) =>
      createSimPulseOximeter({
        id: `bench-plx-${i + 1}`,
        name: `Oximeter ${i + 1}`,
        rateHz: opts.oximeterHz,
        seed: 10 + i,
      }),
    ),
    ...Array.from({ length: opts.cuffs }, (_, i) =>
      createSimBpMonitor({
        id: `bench-bp-${i + 1}`,
        name: `BP cuff ${i + 1}`,
        intervalMs: 5000,
        seed: 50 + i,
        utcOffsetMinutes: 0,
      }),
    ),
  ];
  for (const i of instruments) i.start();
  const config = parseKitConfig({
    dataDir: join(base, 'data'),
    http: { host: '127.0.0.1', port: 0 },
    sim: { enabled: false },
    utcOffsetMinutes: 0,
    logLevel: 'silent',
  });
  const transport = new SimTransport(instruments.map((i) => i.peripheral));
  const kit = await startKit(config, store, createLogger('silent'), 'bench', {
    transport,
    ...(opts.staticRoot === undefined ? {} : { staticRoot: opts.staticRoot }),
  });
  const patient = await store.addPatient({
    familyName: 'Смирнова',
    givenName: 'Анна',
    middleName: 'Петровна',
    birthDate: '1948-03-02',
  });
  const visit = await store.openVisit({ patientId: patient.id });
  return {
    url: `https://localhost:${kit.httpsPort}/`,
    caPem: kit.caPem,
    kit,
    store,
    instruments,
    visitId: visit.id,
    async pairingCode() {
      return (await store.createPairingCode({ role: 'feldsher', createdBy: 'bench' })).code;
    },
    async close() {
      for (const i of instruments) i.stop();
      await kit.stop();
      await store.close();
      rmSync(base, { recursive: true, force: true });
    },
  };
}
