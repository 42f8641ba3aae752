import { currentTime, localTimeInformation } from '../../ble-devices/codecs/current-time.ts';
import type { DateTime } from '../../ble-devices/codecs/date-time.ts';
import { CodecError } from '../../ble-devices/codecs/errors.ts';
import { ATT, SimAttError } from '../gatt/att-error.ts';
import type { SimCharacteristicSpec } from '../gatt/sim-peripheral.ts';

/**
 * How a simulated device's clock is wrong (the anchors' complaints): right; reset to 1970 (a
 * drained battery); at 2019-01-01 (the Polar H10 fallback); or set to UTC where local time was
 * expected.
 */
export type ClockMode = 'correct' | '1970' | '2019' | 'utc';

/** Every {@link ClockMode}, for CLI and config validation. */
export const CLOCK_MODES: readonly ClockMode[] = ['correct', '1970', '2019', 'utc'];

/** Options of {@link SimDeviceClock}. */
export interface SimClockOptions {
  readonly mode?: ClockMode;
  /** The local zone the device is meant to show (the kit's), in minutes east of UTC. */
  readonly utcOffsetMinutes?: number;
  /** Extra drift on top of the mode, ms (device ahead when positive). */
  readonly skewMs?: number;
  /** For 1970/2019: the real moment the clock was reset to that date (default: now). */
  readonly resetAtMs?: number;
  /** Real time source (tests). */
  readonly now?: () => number;
}

const EPOCH_WALL: Readonly<Record<'1970' | '2019', number>> = { '1970': 0, '2019': Date.UTC(2019, 0, 1) };

/**
 * A device's wall clock: no zone, just fields that run from wherever they were set. It stamps the
 * instrument's records and answers Current Time (0x2A2B) reads and writes.
 */
export class SimDeviceClock {
  readonly #now: () => number;
  #baseWall: number;
  #baseReal: number;
  #set = false;

  constructor(readonly options: SimClockOptions = {}) {
    this.#now = options.now ?? Date.now;
    const mode = options.mode ?? 'correct';
    const skew = options.skewMs ?? 0;
    if (mode === '1970' || mode === '2019') {
      this.#baseReal = options.resetAtMs ?? this.#now();
      this.#baseWall = EPOCH_WALL[mode] + skew;
    } else {
      this.#baseReal = this.#now();
      this.#baseWall =
        this.#baseReal + (mode === 'utc' ? 0 : (options.utcOffsetMinutes ?? 0) * 60_000) + skew;
    }
  }

  /** The clock mode it started in. */
  get mode(): ClockMode {
    return this.options.mode ?? 'correct';
  }

  /** True once a collector set the clock through Current Time. */
  get wasSet(): boolean {
    return this.#set;
  }

  /** The wall-clock milliseconds (fields read as if UTC) the device shows at real time `realMs`. */
  wallAt(realMs: number): number {
    return this.#baseWall + (realMs - this.#baseReal);
  }

  /** The Date Time fields the device would stamp a record made at real time `realMs` with. */
  dateTimeAt(realMs: number): DateTime {
    const d = new Date(this.wallAt(realMs));
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hours: d.getUTCHours(),
      minutes: d.getUTCMinutes(),
      seconds: d.getUTCSeconds(),
    };
  }

  /** The fields the device shows now. */
  now(): DateTime {
    return this.dateTimeAt(this.#now());
  }

  /** Sets the wall clock (a Current Time write). */
  set(dt: DateTime, fractions256 = 0): void {
    this.#baseWall =
      Date.UTC(dt.year, dt.month - 1, dt.day, dt.hours, dt.minutes, dt.seconds) +
      Math.floor((fractions256 * 1000) / 256);
    this.#baseReal = this.#now();
    this.#set = true;
  }

  /** The Current Time value (10 bytes) for a read: fields, weekday, fractions, adjust reason. */
  currentTimeValue(): Uint8Array {
    const wall = this.wallAt(this.#now());
    const d = new Date(wall);
    return currentTime.encode({
      dateTime: this.dateTimeAt(this.#now()),
      dayOfWeek: ((d.getUTCDay() + 6) % 7) + 1,
      fractions256: Math.floor((d.getUTCMilliseconds() * 256) / 1000),
      adjustReason: this.#set ? 0x01 : 0,
    });
  }

  /**
   * The Current Time Service (0x1805): Current Time readable and notifiable, writable unless the
   * device is `readOnly`; Local Time Information says the zone the device believes it is in.
   */
  service(readOnly = false): Record<string, SimCharacteristicSpec> {
    const zone = this.mode === 'utc' ? 0 : Math.round((this.options.utcOffsetMinutes ?? 0) / 15);
    return {
      '2a2b': {
        properties: readOnly ? ['read', 'notify'] : ['read', 'write', 'notify'],
        onRead: () => this.currentTimeValue(),
        onWrite: (value) => {
          try {
            const t = currentTime.decode(value);
            if (t.dateTime.year === 0 || t.dateTime.month === 0 || t.dateTime.day === 0)
              throw new SimAttError(ATT.outOfRange, 'date unknown');
            this.set(t.dateTime, t.fractions256);
          } catch (err) {
            if (err instanceof CodecError) throw new SimAttError(ATT.outOfRange, err.message);
            throw err;
          }
        },
      },
      '2a0f': {
        properties: ['read'],
        value: localTimeInformation.encode({ timeZone: zone, dstOffset: 0 }),
      },
    };
  }
}
