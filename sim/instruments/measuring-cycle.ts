import type { SimPeripheral } from '../gatt/sim-peripheral.ts';
import type { RecordMemory } from './record-memory.ts';
import type { SimBattery } from './sim-battery.ts';

/** What a measuring instrument (cuff, thermometer, scale) plugs into {@link measuringCycle}. */
export interface CycleSpec {
  readonly peripheral: SimPeripheral;
  /** The measurement characteristic (indicated) and its service. */
  readonly service: string;
  readonly char: string;
  /** Pause between the end of one measurement and the start of the next. */
  readonly intervalMs: number;
  /** Live frames while measuring (inflation, settling), `stepMs` apart, before the record. */
  readonly steps: number;
  readonly stepMs: number;
  readonly preview?: (step: number) => void;
  /** The final record, encoded and stamped by the device clock at real time `atMs`. */
  readonly record: (atMs: number) => Uint8Array;
  readonly memory: RecordMemory;
  readonly battery: SimBattery;
  /** Measure even with no collector listening; the record waits in memory. */
  readonly measureOffline?: boolean;
}

/** The running cycle: timers, the memory flush on subscription, and a manual trigger. */
export interface MeasuringCycle {
  readonly start: () => void;
  readonly stop: () => void;
  /** Takes one measurement now (stored, and indicated if a collector listens). */
  readonly measureNow: () => void;
  /** The `onSubscribe` hook of the measurement characteristic: sends the memory. */
  readonly onSubscribe: () => void;
}

/**
 * The rhythm shared by instruments that measure on their own schedule and keep a memory: preview
 * frames, then one record that goes to memory and, when a collector listens, out as an indication;
 * on each new subscription the memory is sent, one indication every `stepMs`.
 */
export function measuringCycle(spec: CycleSpec): MeasuringCycle {
  const { peripheral, service, char, memory } = spec;
  let timer: NodeJS.Timeout | undefined;
  let flush: NodeJS.Timeout | undefined;
  let running = false;
  const listening = (): boolean => peripheral.isSubscribed(service, char);

  const measure = (): void => {
    const bytes = spec.record(Date.now());
    memory.add(bytes);
    spec.battery.measured();
    if (listening()) {
      peripheral.emit(service, char, bytes);
      if (peripheral.connected) memory.markSent(bytes);
    }
  };

  const cycle = (step: number): void => {
    if (!running) return;
    if (!listening() && !spec.measureOffline) {
      timer = setTimeout(() => cycle(0), spec.intervalMs);
      return;
    }
    if (listening() && step < spec.steps) {
      spec.preview?.(step);
      timer = setTimeout(() => cycle(step + 1), spec.stepMs);
      return;
    }
    measure();
    timer = setTimeout(() => cycle(0), spec.intervalMs);
  };

  const send = (queue: Uint8Array[]): void => {
    const next = queue.shift();
    if (!next || !listening()) return;
    peripheral.emit(service, char, next);
    // An indication the link lost with it stays unsent: the device sends it again next time.
    if (!peripheral.connected) return;
    memory.markSent(next);
    if (queue.length > 0) flush = setTimeout(() => send(queue), spec.stepMs);
  };

  return {
    start: () => {
      if (running) return;
      running = true;
      timer = setTimeout(() => cycle(0), Math.min(spec.intervalMs, 1000));
    },
    stop: () => {
      running = false;
      clearTimeout(timer);
      clearTimeout(flush);
    },
    measureNow: measure,
    onSubscribe: () => {
      clearTimeout(flush);
      flush = setTimeout(() => send(memory.toSend()), spec.stepMs);
    },
  };
}
