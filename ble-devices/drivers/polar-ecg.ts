import { CodecError } from '../codecs/errors.ts';
import {
  pmdRequest,
  pmdResponse,
  responseSettings,
  type PmdRequest,
  type PmdResponse,
} from '../codecs/polar-pmd/pmd-control-point.ts';
import { pmdEcgFrame } from '../codecs/polar-pmd/pmd-ecg-frame.ts';
import { settingValues } from '../codecs/polar-pmd/pmd-settings.ts';
import {
  H10_ECG_RESOLUTION,
  H10_ECG_SAMPLE_RATE,
  PMD_CONTROL_POINT,
  PMD_DATA,
  PMD_ECG,
  PMD_OP,
  PMD_SERVICE,
  statusName,
} from '../codecs/polar-pmd/pmd-tables.ts';
import type { DiscoveredDevice, GattConnection } from '../transport.ts';
import { uuidKey } from '../codecs/uuid.ts';
import type { DriverContext, DriverSink, InstrumentDriver } from './driver.ts';
import { correctedUnixNs, judgePmdClock, type PmdClockJudgement } from './pmd-clock.ts';

/** A control-point request the sensor refused or never answered; `code` is the PMD status name or `timeout`. */
export class PmdCommandError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PmdCommandError';
  }
}

/** Options of the ECG driver. */
export interface PolarEcgDriverOptions {
  /** How long to wait for a control-point response (polar-ble-sdk waits 30 s; a strap answers in ms). */
  readonly responseTimeoutMs?: number;
}

const CP = uuidKey(PMD_CONTROL_POINT);
const DATA = uuidKey(PMD_DATA);

/** Sends requests on the PMD control point and pairs each with its indicated response. */
class ControlPoint {
  #waiting: { op: number; resolve: (r: PmdResponse & { kind: 'response' }) => void } | null = null;
  #stopped: (() => void) | null = null;

  constructor(
    private readonly conn: GattConnection,
    private readonly timeoutMs: number,
  ) {}

  /** Routes one indication (decoded by the caller). */
  deliver(r: PmdResponse): void {
    if (r.kind === 'measurement_stopped') this.#stopped?.();
    else if (this.#waiting && this.#waiting.op === r.op) this.#waiting.resolve(r);
  }

  onMeasurementStopped(listener: () => void): void {
    this.#stopped = listener;
  }

  async request(req: PmdRequest): Promise<PmdResponse & { kind: 'response' }> {
    const op = PMD_OP[req.op];
    let timer: NodeJS.Timeout | undefined;
    const answer = new Promise<PmdResponse & { kind: 'response' }>((resolve, reject) => {
      this.#waiting = { op, resolve };
      timer = setTimeout(
        () => reject(new PmdCommandError('timeout', `no PMD response to ${req.op} in ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
    });
    try {
      await this.conn.write(PMD_SERVICE, CP, pmdRequest.encode(req));
      const r = await answer;
      // 'already in state' to a start means the stream runs (a kit restart while the strap streamed).
      const ok = r.status === 0 || (req.op === 'request_measurement_start' && r.status === 6);
      if (!ok)
        throw new PmdCommandError(statusName(r.status), `PMD ${req.op} refused: ${statusName(r.status)}`);
      return r;
    } finally {
      clearTimeout(timer);
      this.#waiting = null;
    }
  }
}

/** Where the driver stands in one stream: the previous frame and the clock judgement. */
interface StreamState {
  previousLastNs: bigint | null;
  clock: PmdClockJudgement | null;
}

function onFrame(
  raw: Uint8Array,
  state: StreamState,
  device: DiscoveredDevice,
  sink: DriverSink,
  ctx: DriverContext,
): void {
  const receivedAt = ctx.now();
  let frame;
  try {
    frame = pmdEcgFrame.decode(raw);
  } catch (err) {
    if (!(err instanceof CodecError)) throw err;
    sink.dropped({ deviceId: device.id, characteristic: DATA, raw: raw.slice(), error: err, receivedAt });
    return;
  }
  const n = frame.samples.length;
  if (n === 0) return;
  const periodNs = 1e9 / H10_ECG_SAMPLE_RATE;
  const clock = (state.clock ??= judgePmdClock(
    frame.timestampNs,
    receivedAt.getTime(),
    ctx.utcOffsetMinutes,
  ));
  // Nominal spacing back from the last sample; a jump beyond it is a lost notification, not jitter.
  const firstNs = frame.timestampNs - BigInt(Math.round((n - 1) * periodNs));
  let gapBefore = 0;
  if (state.previousLastNs !== null) {
    const late = Number(firstNs - state.previousLastNs) / periodNs - 1;
    if (late >= 0.5) gapBefore = Math.round(late);
  }
  state.previousLastNs = frame.timestampNs;
  const clockOffsetMs = Number(clock.offsetNs / 1_000_000n);
  const samples = Int32Array.from(frame.samples);
  sink.waveform?.({
    deviceId: device.id,
    deviceName: device.name,
    profile: 'polar-ecg',
    kind: 'ecg',
    unit: 'uV',
    rateHz: H10_ECG_SAMPLE_RATE,
    samples,
    firstSampleUnixNs: correctedUnixNs(firstNs, clock),
    gapBefore,
    clockOffsetMs,
    deviceClock: clock.state,
    codec: pmdEcgFrame.name,
    codecVersion: pmdEcgFrame.version,
    raw: raw.slice(),
  });
  // A sign of life for the tablets; the strip recorder, not the observation store, keeps the samples.
  sink.reading({
    deviceId: device.id,
    deviceName: device.name,
    profile: 'polar-ecg',
    characteristic: DATA,
    codec: pmdEcgFrame.name,
    codecVersion: pmdEcgFrame.version,
    raw: raw.slice(),
    receivedAt,
    observations: [],
    preview: { kind: 'ecg-uv', value: samples[n - 1]!, unit: 'uV' },
    clockOffsetMs,
  });
}

/**
 * Polar H10 ECG over the PMD service (polar-ble-sdk BlePMDClient): subscribes to the control
 * point (indications) and data (notifications), queries the ECG settings, starts 130 Hz 14-bit,
 * and turns each data frame into a waveform chunk with the sensor clock judged and corrected
 * (the H10 falls back to 2019-01-01 unless set). Refused frames (compressed, truncated) are
 * counted through the sink; a stream the sensor stops is started again once, else the link is
 * dropped so the manager reconnects.
 */
export function createPolarEcgDriver(options: PolarEcgDriverOptions = {}): InstrumentDriver {
  const service = uuidKey(PMD_SERVICE);
  return {
    profile: 'polar-ecg',
    service,
    matches: (device) =>
      device.services.some((s) => uuidKey(s) === service) || /^Polar H10\b/.test(device.name),
    async start(conn, device, sink, ctx) {
      const cp = new ControlPoint(conn, options.responseTimeoutMs ?? 5000);
      const state: StreamState = { previousLastNs: null, clock: null };
      await conn.subscribe(PMD_SERVICE, CP, 'indicate', (raw) => {
        try {
          cp.deliver(pmdResponse.decode(raw));
        } catch (err) {
          if (!(err instanceof CodecError)) throw err;
          sink.dropped({
            deviceId: device.id,
            characteristic: CP,
            raw: raw.slice(),
            error: err,
            receivedAt: ctx.now(),
          });
        }
      });
      await conn.subscribe(PMD_SERVICE, DATA, 'notify', (raw) => onFrame(raw, state, device, sink, ctx));
      const ecg = { measurementType: PMD_ECG, recording: 'online' } as const;
      const offered = responseSettings(
        (await cp.request({ op: 'get_measurement_settings', ...ecg, settings: [] })).parameters,
      );
      const rates = settingValues(offered, 'sample_rate');
      const resolutions = settingValues(offered, 'resolution');
      if (!rates.includes(H10_ECG_SAMPLE_RATE) || !resolutions.includes(H10_ECG_RESOLUTION)) {
        throw new PmdCommandError(
          'not_supported',
          `sensor offers ECG at ${rates.join('/') || 'no'} Hz, ${resolutions.join('/') || 'no'}-bit; the kit reads 130 Hz 14-bit`,
        );
      }
      const start: PmdRequest = {
        op: 'request_measurement_start',
        ...ecg,
        settings: [
          { type: 'sample_rate', values: [H10_ECG_SAMPLE_RATE] },
          { type: 'resolution', values: [H10_ECG_RESOLUTION] },
        ],
      };
      let restarted = false;
      cp.onMeasurementStopped(() => {
        state.previousLastNs = null;
        const again = restarted ? Promise.reject(new Error('stopped twice')) : cp.request(start);
        restarted = true;
        again.catch(() => conn.disconnect().catch(() => undefined));
      });
      await cp.request(start);
    },
  };
}

/** The driver with its defaults, as the catalogue lists it. */
export const polarEcgDriver = createPolarEcgDriver();
