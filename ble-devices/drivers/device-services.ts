import { batteryLevel } from '../codecs/battery.ts';
import type { Codec } from '../codecs/codec.ts';
import { currentTime, type CurrentTime } from '../codecs/current-time.ts';
import { dateTimeFromDate } from '../codecs/date-time.ts';
import {
  firmwareRevision,
  hardwareRevision,
  manufacturerName,
  modelNumber,
  serialNumber,
} from '../codecs/device-information.ts';
import { CodecError } from '../codecs/errors.ts';
import { TransportError, type GattConnection } from '../transport.ts';

/** Device Information strings (0x180A): who made the instrument, which one it is, which firmware. */
export interface DeviceInformation {
  readonly manufacturer: string | null;
  readonly model: string | null;
  readonly serial: string | null;
  readonly firmware: string | null;
  readonly hardware: string | null;
}

/** True for the errors that mean "this instrument has no such thing", not "the link failed". */
function absent(err: unknown): boolean {
  return (
    err instanceof CodecError ||
    (err instanceof TransportError && (err.code === 'no_such_characteristic' || err.code === 'not_permitted'))
  );
}

/** Reads and decodes one optional characteristic; null when the instrument lacks it or sent garbage. */
async function readOptional<T>(
  conn: GattConnection,
  service: string,
  characteristic: string,
  codec: Codec<T>,
  signal?: AbortSignal,
): Promise<T | null> {
  try {
    return codec.decode(await conn.read(service, characteristic, signal));
  } catch (err) {
    if (absent(err)) return null;
    throw err;
  }
}

/**
 * Reads the Device Information strings one GATT operation at a time. Missing characteristics
 * (all are optional) and undecodable strings come back null; a lost link throws.
 */
export async function readDeviceInformation(
  conn: GattConnection,
  signal?: AbortSignal,
): Promise<DeviceInformation> {
  return {
    manufacturer: await readOptional(conn, '180a', '2a29', manufacturerName, signal),
    model: await readOptional(conn, '180a', '2a24', modelNumber, signal),
    serial: await readOptional(conn, '180a', '2a25', serialNumber, signal),
    firmware: await readOptional(conn, '180a', '2a26', firmwareRevision, signal),
    hardware: await readOptional(conn, '180a', '2a27', hardwareRevision, signal),
  };
}

/** Battery Level (0x180F/0x2A19) in percent, or null without a Battery Service. */
export function readBatteryLevel(conn: GattConnection, signal?: AbortSignal): Promise<number | null> {
  return readOptional(conn, '180f', '2a19', batteryLevel, signal);
}

/**
 * Follows Battery Level notifications where the instrument offers them; resolves false when it
 * does not (the level is then read at each connection only). Garbage values are ignored.
 */
export async function followBatteryLevel(
  conn: GattConnection,
  onLevel: (percent: number) => void,
): Promise<boolean> {
  try {
    await conn.subscribe('180f', '2a19', 'notify', (raw) => {
      try {
        onLevel(batteryLevel.decode(raw));
      } catch (err) {
        if (!(err instanceof CodecError)) throw err;
      }
    });
    return true;
  } catch (err) {
    if (absent(err)) return false;
    throw err;
  }
}

/** The Current Time (0x1805/0x2A2B) as the device states it, or null without Current Time. */
export function readCurrentTime(conn: GattConnection, signal?: AbortSignal): Promise<CurrentTime | null> {
  return readOptional(conn, '1805', '2a2b', currentTime, signal);
}

/**
 * Sets the device clock to `now` in the kit's zone (Adjust Reason: manual update). Resolves false
 * when the device's Current Time is read-only or absent (the offset is then corrected in software).
 */
export async function writeCurrentTime(
  conn: GattConnection,
  now: Date,
  utcOffsetMinutes: number,
  signal?: AbortSignal,
): Promise<boolean> {
  const local = new Date(now.getTime() + utcOffsetMinutes * 60_000);
  const value = currentTime.encode({
    dateTime: dateTimeFromDate(now, utcOffsetMinutes),
    dayOfWeek: ((local.getUTCDay() + 6) % 7) + 1,
    fractions256: Math.floor((local.getUTCMilliseconds() * 256) / 1000),
    adjustReason: 0x01,
  });
  try {
    await conn.write('1805', '2a2b', value, signal);
    return true;
  } catch (err) {
    if (absent(err)) return false;
    throw err;
  }
}
