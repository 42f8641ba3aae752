import { batteryLevel } from './battery.ts';
import { bloodPressureFeature } from './blood-pressure-feature.ts';
import { bloodPressureMeasurement, intermediateCuffPressure } from './blood-pressure.ts';
import { bodyCompositionFeature } from './body-composition-feature.ts';
import { bodyCompositionMeasurement } from './body-composition.ts';
import { bodySensorLocation, heartRateControlPoint } from './body-sensor-location.ts';
import type { Codec } from './codec.ts';
import { contecCommand } from './contec/commands.ts';
import { contecLive5 } from './contec/frame-5byte.ts';
import { contecLive9 } from './contec/frame-9byte.ts';
import { contecPlayback9 } from './contec/playback-9byte.ts';
import { currentTime, localTimeInformation } from './current-time.ts';
import {
  firmwareRevision,
  hardwareRevision,
  manufacturerName,
  modelNumber,
  pnpId,
  serialNumber,
  softwareRevision,
  systemId,
} from './device-information.ts';
import { CodecError } from './errors.ts';
import { glucoseContext } from './glucose-context.ts';
import { glucoseFeature } from './glucose-feature.ts';
import { glucoseMeasurement } from './glucose.ts';
import { heartRateMeasurement } from './heart-rate.ts';
import { measurementInterval } from './measurement-interval.ts';
import { plxContinuous } from './plx-continuous.ts';
import { plxFeatures } from './plx-features.ts';
import { plxSpotCheck } from './plx-spot-check.ts';
import { pmdRequest, pmdResponse } from './polar-pmd/pmd-control-point.ts';
import { pmdEcgFrame } from './polar-pmd/pmd-ecg-frame.ts';
import { pmdFeatures } from './polar-pmd/pmd-features.ts';
import { float, sfloat } from './primitives.ts';
import { racpRequest, racpResponse, recordAccessControlPoint } from './racp.ts';
import { temperatureType } from './temperature-type.ts';
import { intermediateTemperature, temperatureMeasurement } from './temperature.ts';
import { weightScaleFeature } from './weight-scale-feature.ts';
import { weightMeasurement } from './weight.ts';
import { shortUuid } from './uuid.ts';

/**
 * Every codec the kit knows, looked up by characteristic UUID (any spelling) or by the profile
 * name of vectors.json. One table, so the CLI, drivers and simulators agree on what a UUID means.
 * Each GATT UUID appears once; format views without a UUID of their own (RACP by direction,
 * serial frames, bare floats) have `uuid: null` and are found by name.
 */
export const CODECS: ReadonlyArray<Codec<unknown>> = [
  heartRateMeasurement,
  bodySensorLocation,
  heartRateControlPoint,
  bloodPressureMeasurement,
  intermediateCuffPressure,
  bloodPressureFeature,
  temperatureMeasurement,
  intermediateTemperature,
  temperatureType,
  measurementInterval,
  plxSpotCheck,
  plxContinuous,
  plxFeatures,
  glucoseMeasurement,
  glucoseContext,
  glucoseFeature,
  recordAccessControlPoint,
  racpRequest,
  racpResponse,
  weightMeasurement,
  weightScaleFeature,
  bodyCompositionMeasurement,
  bodyCompositionFeature,
  batteryLevel,
  pnpId,
  systemId,
  manufacturerName,
  modelNumber,
  serialNumber,
  hardwareRevision,
  firmwareRevision,
  softwareRevision,
  currentTime,
  localTimeInformation,
  sfloat,
  float,
  contecLive5,
  contecLive9,
  contecPlayback9,
  contecCommand,
  pmdEcgFrame,
  pmdRequest,
  pmdResponse,
  pmdFeatures,
] as ReadonlyArray<Codec<unknown>>;

const BY_NAME = new Map(CODECS.map((c) => [c.name, c]));
const BY_UUID = new Map(CODECS.filter((c) => c.uuid !== null).map((c) => [c.uuid!, c]));

/** Finds a codec by `0x2A5F`, `2a5f`, the 128-bit form, or a profile name; throws `unknown_codec`. */
export function findCodec(key: string): Codec<unknown> {
  const uuid = shortUuid(key);
  const found = uuid === null ? BY_NAME.get(key.trim().toLowerCase()) : BY_UUID.get(uuid);
  if (!found) {
    throw new CodecError('unknown_codec', 'registry', 'characteristic', 0, `no codec for '${key}'`);
  }
  return found;
}

/** Parses `"00 64 00"`, `"006400"` or `"0x00,0x64"` into bytes; throws `bad_hex` on anything else. */
export function parseHex(text: string): Uint8Array {
  const cleaned = text.replace(/0x/gi, '').replace(/[\s,:]/g, '');
  if (cleaned.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(cleaned)) {
    throw new CodecError('bad_hex', 'cli', 'hex', 0, `'${text}' is not an even-length hex string`);
  }
  const out = new Uint8Array(cleaned.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(cleaned.slice(i * 2, i * 2 + 2), 16);
  return out;
}
