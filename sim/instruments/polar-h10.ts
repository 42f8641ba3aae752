import { heartRateMeasurement } from '../../ble-devices/codecs/heart-rate.ts';
import {
  pmdRequest,
  pmdResponse,
  settingsParameters,
} from '../../ble-devices/codecs/polar-pmd/pmd-control-point.ts';
import { pmdEcgFrame } from '../../ble-devices/codecs/polar-pmd/pmd-ecg-frame.ts';
import { pmdFeatures } from '../../ble-devices/codecs/polar-pmd/pmd-features.ts';
import {
  H10_ECG_RESOLUTION,
  H10_ECG_SAMPLE_RATE,
  PMD_CONTROL_POINT,
  PMD_DATA,
  PMD_ECG,
  PMD_OP,
  PMD_SERVICE,
} from '../../ble-devices/codecs/polar-pmd/pmd-tables.ts';
import { H10_DEFAULT_CLOCK_NS, unixMsToPolarNs } from '../../ble-devices/codecs/polar-pmd/pmd-time.ts';
import { CodecError } from '../../ble-devices/codecs/errors.ts';
import { SimPeripheral, type SimFaults } from '../gatt/sim-peripheral.ts';
import { seededRandom } from '../random.ts';
import { EcgSynth } from './ecg-synth.ts';
import { deviceInformation, type SimInstrument } from './sim-instrument.ts';

/** Where the simulated H10's clock stands when the stream starts. */
export type SimH10Clock = 'default-2019' | 'utc' | 'local';

/** Options of the simulated Polar H10 (validated by the caller: config schema or test). */
export interface SimPolarH10Options {
  readonly id: string;
  readonly name?: string;
  readonly seed?: number;
  readonly heartRateBpm?: number;
  /**
   * `default-2019`: never set since power-on (2019-01-01 plus uptime, polar-ble-sdk
   * TimeSystemExplained.md); `utc` or `local`: set by a collector to UTC or to local wall time.
   */
  readonly clock?: SimH10Clock;
  readonly utcOffsetMinutes?: number;
  /** Samples per data notification (the H10 sends 73 at MTU 232). */
  readonly samplesPerFrame?: number;
  /** Device time runs this many times faster than the wall clock (time-lapse for tests). */
  readonly timeScale?: number;
  /** Electrodes off during these windows of stream time (seconds from the start of the stream). */
  readonly leadOff?: ReadonlyArray<{ readonly atS: number; readonly forS: number }>;
  /** Keep every ECG sample sent, so a test can compare a stored strip sample for sample. */
  readonly keepSent?: boolean;
  readonly faults?: SimFaults & {
    /** Probability that a data frame goes out marked compressed (frame type 0x80): the kit must refuse it. */
    readonly compressedRate?: number;
  };
}

/** The simulated H10 plus what a test wants to look at. */
export interface SimPolarH10 extends SimInstrument {
  /** Every ECG sample sent so far (with `keepSent`), in order, µV. */
  sentSamples(): Int32Array;
  /** Device-clock ns since 2000 of the first sample of the current stream (null when not streaming). */
  readonly streamStartNs: bigint | null;
  readonly streaming: boolean;
}

const FRAME_MAX_PER_TICK = 20;

/**
 * A Polar H10 at the GATT level: PMD service (control point: feature read, settings query,
 * start/stop with response codes; data: ECG frames of 73 samples at 130 Hz, 14-bit), Heart Rate
 * (0x2A37 with sensor contact), Battery and Device Information. Every byte comes from the kit's
 * encoders. ECG is synthesised (P-QRS-T, sinus arrhythmia, wander, noise, lead-off). The stream
 * stops when the collector disconnects, as the real strap's does.
 */
export function createSimPolarH10(options: SimPolarH10Options): SimPolarH10 {
  const rate = H10_ECG_SAMPLE_RATE;
  const perFrame = options.samplesPerFrame ?? 73;
  const scale = options.timeScale ?? 1;
  const random = seededRandom((options.seed ?? 1) + 101);
  const features = pmdFeatures.encode({ header: 0x0f, measurementTypes: [PMD_ECG, 2] });
  const peripheral = new SimPeripheral(
    options.id,
    options.name ?? 'Polar H10 SIM0001',
    {
      [PMD_SERVICE]: {
        [PMD_CONTROL_POINT]: {
          properties: ['read', 'write', 'indicate'],
          value: features,
          onWrite: (v) => onControl(v),
        },
        [PMD_DATA]: { properties: ['notify'] },
      },
      '180d': { '2a37': { properties: ['notify'] } },
      '180a': deviceInformation('Polar Electro Oy', 'Polar H10', `SIM-${options.id}`),
      '180f': { '2a19': { properties: ['read'], value: Uint8Array.of(91) } },
    },
    options.faults,
    seededRandom((options.seed ?? 1) + 7),
  );
  const sent: number[] = [];
  let synth = new EcgSynth({
    rateHz: rate,
    heartRateBpm: options.heartRateBpm ?? 64,
    seed: options.seed ?? 1,
  });
  const poweredOnAt = Date.now();
  let streamStartNs: bigint | null = null;
  let streamStartedAt = 0;
  let samplesSent = 0;
  let hrSentS = 0;
  let timer: NodeJS.Timeout | undefined;

  /** The device's own clock now, ns since 2000. */
  function deviceNowNs(): bigint {
    const now = Date.now();
    const scaled = poweredOnAt + (now - poweredOnAt) * scale;
    if (options.clock === 'utc') return unixMsToPolarNs(scaled);
    if (options.clock === 'local') return unixMsToPolarNs(scaled + (options.utcOffsetMinutes ?? 0) * 60_000);
    return H10_DEFAULT_CLOCK_NS + BigInt(Math.round((scaled - poweredOnAt + 95_000) * 1e6));
  }

  function respond(op: number, typeByte: number, status: number, parameters: number[] = []): void {
    peripheral.emit(
      PMD_SERVICE,
      PMD_CONTROL_POINT,
      pmdResponse.encode({
        kind: 'response',
        op,
        measurementType: typeByte,
        status,
        more: false,
        parameters,
      }),
    );
  }

  function onControl(value: Uint8Array): void {
    // The control point keeps reading as the feature value, whatever was written.
    queueMicrotask(() => peripheral.setValue(PMD_SERVICE, PMD_CONTROL_POINT, features));
    let req;
    try {
      req = pmdRequest.decode(value);
    } catch (err) {
      if (!(err instanceof CodecError)) throw err;
      return respond(value[0] ?? 0, value[1] ?? 0, err.field === 'op' ? 1 : 4);
    }
    const typeByte = value[1]!;
    if (req.measurementType !== PMD_ECG || req.recording !== 'online')
      return respond(PMD_OP[req.op], typeByte, 3);
    if (req.op === 'get_measurement_settings') {
      return respond(
        PMD_OP[req.op],
        typeByte,
        0,
        settingsParameters([
          { type: 'sample_rate', values: [rate] },
          { type: 'resolution', values: [H10_ECG_RESOLUTION] },
        ]),
      );
    }
    if (req.op === 'stop_measurement') {
      if (streamStartNs === null) return respond(PMD_OP[req.op], typeByte, 6);
      stopStream();
      return respond(PMD_OP[req.op], typeByte, 0);
    }
    if (streamStartNs !== null) return respond(PMD_OP[req.op], typeByte, 6);
    const asked = Object.fromEntries(req.settings.map((s) => [s.type, s.values[0]]));
    if (asked.sample_rate !== rate) return respond(PMD_OP[req.op], typeByte, 8);
    if (asked.resolution !== H10_ECG_RESOLUTION) return respond(PMD_OP[req.op], typeByte, 7);
    respond(PMD_OP[req.op], typeByte, 0);
    startStream();
  }

  function leadOffAt(s: number): boolean {
    return (options.leadOff ?? []).some((w) => s >= w.atS && s < w.atS + w.forS);
  }

  function startStream(): void {
    streamStartedAt = Date.now();
    // The first sample is taken now; frame timestamps name each frame's last sample.
    streamStartNs = deviceNowNs();
    samplesSent = 0;
    hrSentS = 0;
    synth = new EcgSynth({ rateHz: rate, heartRateBpm: options.heartRateBpm ?? 64, seed: options.seed ?? 1 });
    timer = setInterval(tick, Math.max(5, Math.round(((perFrame / rate) * 1000) / scale / 2)));
  }

  function stopStream(): void {
    clearInterval(timer);
    timer = undefined;
    streamStartNs = null;
  }

  function tick(): void {
    if (streamStartNs === null) return;
    const elapsedS = ((Date.now() - streamStartedAt) * scale) / 1000;
    const due = Math.floor(elapsedS * rate);
    for (let n = 0; n < FRAME_MAX_PER_TICK && samplesSent + perFrame <= due; n++) {
      const samples: number[] = [];
      for (let i = 0; i < perFrame; i++) {
        const v = Math.max(-0x800000, Math.min(0x7fffff, synth.next(leadOffAt((samplesSent + i) / rate))));
        samples.push(v);
      }
      const last = samplesSent + perFrame - 1;
      const timestampNs = streamStartNs + BigInt(Math.round((last * 1e9) / rate));
      samplesSent += perFrame;
      if (options.keepSent) sent.push(...samples);
      const frame = pmdEcgFrame.encode({ timestampNs, samples });
      if (random() < (options.faults?.compressedRate ?? 0)) frame[9] = 0x80;
      peripheral.emit(PMD_SERVICE, PMD_DATA, frame);
    }
    while (hrSentS + 1 <= elapsedS) {
      hrSentS++;
      const bpm = options.heartRateBpm ?? 64;
      const off = leadOffAt(hrSentS);
      peripheral.emit(
        '180d',
        '2a37',
        heartRateMeasurement.encode({
          heartRate: Math.round(bpm + (random() - 0.5) * 4),
          format: 'uint8',
          sensorContact: off ? 'supported_not_detected' : 'detected',
          energyExpended: null,
          rrIntervals: off ? [] : [Math.round((60 / bpm) * 1024)],
        }),
      );
    }
  }

  // The strap ends its PMD streams when the link goes.
  peripheral.onDetach(() => stopStream());

  return {
    peripheral,
    start() {
      /* The H10 streams only when asked through the control point. */
    },
    stop() {
      stopStream();
    },
    sentSamples: () => Int32Array.from(sent),
    get streamStartNs() {
      return streamStartNs;
    },
    get streaming() {
      return streamStartNs !== null;
    },
  };
}
