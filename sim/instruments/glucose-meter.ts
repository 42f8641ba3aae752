import { glucoseContext } from '../../ble-devices/codecs/glucose-context.ts';
import { glucoseFeature } from '../../ble-devices/codecs/glucose-feature.ts';
import { glucoseMeasurement } from '../../ble-devices/codecs/glucose.ts';
import { walk } from '../random.ts';
import { racpServer, type StoredRecord } from './racp-server.ts';
import { buildInstrument, type SimCommonOptions, type SimInstrument } from './sim-instrument.ts';

/** Options of the simulated glucose meter. */
export interface SimGlucoseOptions extends SimCommonOptions {
  /** Records in memory at start (default 500), one every `recordSpacingMs` back from now. */
  readonly records?: number;
  readonly recordSpacingMs?: number;
  /** Sequence number of the oldest record (default 1; numbers wrap at 0xFFFF). */
  readonly firstSequence?: number;
  /** mg/dL meters send kg/L, mmol/L meters mol/L (default mg/dL). */
  readonly unit?: 'mg/dL' | 'mmol/L';
  /** Every n-th record has a context (meal, tester) following it; 0 = none (default 5). */
  readonly contextEvery?: number;
  /** Pace of a RACP transfer, ms between records (default 3). */
  readonly recordIntervalMs?: number;
  /** Fault: the link drops after this many records of the first RACP transfer. */
  readonly racpDropAfter?: number;
  /** Take a new reading this often while running (default: only through `addRecords`). */
  readonly newRecordEveryMs?: number;
}

/** The simulated meter: instrument parts plus its stored records. */
export interface SimGlucoseMeter extends SimInstrument {
  /** Takes `n` new readings now (the patient measured), stamped by the meter's clock. */
  addRecords(n: number): void;
  readonly recordCount: number;
  /** Sequence number of the newest record (null when empty). */
  readonly lastSequence: number | null;
}

/**
 * A Glucose (0x1808) meter holding stored records behind a Record Access Control Point: records
 * (0x2A18, notify, plus Measurement Context 0x2A34 for some) are sent only when asked through RACP
 * (0x2A52), as real meters do. Records are stamped by the meter's own clock, so a clock at 1970
 * or 2019 or in UTC shows in every record; Glucose Feature (0x2A51) is readable.
 */
export function createSimGlucoseMeter(options: SimGlucoseOptions): SimGlucoseMeter {
  const count = options.records ?? 500;
  const spacing = options.recordSpacingMs ?? 3 * 3_600_000;
  const started = Date.now();
  const every = options.contextEvery ?? 5;
  const molar = options.unit === 'mmol/L';
  const records: StoredRecord[] = [];
  let nextSeq = (options.firstSequence ?? 1) & 0xffff;
  const hook: { server?: ReturnType<typeof racpServer> } = {};
  const { peripheral, clock, battery, random } = buildInstrument(
    { clockResetAtMs: started - count * spacing - 60_000, ...options },
    { name: 'FK-SIM Glucose Meter', model: 'SIM-GL-1', seed: 6 },
    {
      '1808': {
        '2a18': { properties: ['notify'] },
        '2a34': { properties: ['notify'] },
        // Low battery, malfunction, sample size, strip insertion/type, high/low, temperature,
        // read interrupt, general fault, time fault.
        '2a51': { properties: ['read'], value: glucoseFeature.encode(0x03ff) },
        '2a52': { properties: ['write', 'indicate'], onWrite: (v) => hook.server?.onWrite(v) },
      },
    },
  );
  let mgdl = 110;
  const take = (atMs: number, history = false): void => {
    mgdl = walk(mgdl, 18, 60, 320, random);
    const sequence = nextSeq;
    nextSeq = (nextSeq + 1) & 0xffff;
    const withContext = every > 0 && sequence % every === 0;
    const value = molar
      ? { kind: 'number' as const, mantissa: Math.round((mgdl / 18.016) * 10), exponent: -4 }
      : { kind: 'number' as const, mantissa: Math.round(mgdl), exponent: -5 };
    const frames = [
      {
        char: '2a18',
        bytes: glucoseMeasurement.encode({
          sequenceNumber: sequence,
          baseTime: clock.dateTimeAt(atMs),
          timeOffsetMinutes: null,
          concentration: { value, unit: molar ? 'mol/L' : 'kg/L', type: 1, sampleLocation: 1 },
          sensorStatus: null,
          contextFollows: withContext,
        }),
      },
    ];
    if (withContext)
      frames.push({
        char: '2a34',
        bytes: glucoseContext.encode({
          sequenceNumber: sequence,
          extendedFlags: null,
          carbohydrate: null,
          meal: random() < 0.5 ? 1 : 2,
          testerHealth: { tester: 1, health: 5 },
          exercise: null,
          medication: null,
          // Every other context carries an HbA1c (a lab value the kit stores as its own observation).
          hba1c: sequence % (every * 2) === 0 ? { kind: 'number', mantissa: 61, exponent: -1 } : null,
        }),
      });
    records.push({ sequence, frames });
    if (!history) battery.measured();
  };
  for (let i = count; i > 0; i--) take(started - i * spacing, true);
  const server = racpServer({
    peripheral,
    service: '1808',
    recordChar: '2a18',
    records: () => records,
    remove: (seqs) => {
      for (let i = records.length - 1; i >= 0; i--) if (seqs.has(records[i]!.sequence)) records.splice(i, 1);
    },
    recordIntervalMs: options.recordIntervalMs ?? 3,
    ...(options.racpDropAfter === undefined ? {} : { dropAfter: options.racpDropAfter }),
  });
  hook.server = server;
  let timer: NodeJS.Timeout | undefined;
  return {
    peripheral,
    clock,
    battery,
    addRecords(n) {
      for (let i = 0; i < n; i++) take(Date.now());
    },
    get recordCount() {
      return records.length;
    },
    get lastSequence() {
      return records.at(-1)?.sequence ?? null;
    },
    start() {
      if (options.newRecordEveryMs !== undefined)
        timer ??= setInterval(() => take(Date.now()), options.newRecordEveryMs);
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
      server.stop();
    },
  };
}
