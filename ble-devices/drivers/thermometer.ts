import { mderValue } from '../codecs/ieee11073-float.ts';
import { intermediateTemperature, temperatureMeasurement } from '../codecs/temperature.ts';
import { observeTemperature } from '../observations/temperature.ts';
import { defineGattDriver, stream } from './gatt-driver.ts';

/**
 * Health Thermometer (0x1809) driver: the stored reading arrives as an indication (0x2A1C) at the
 * thermometer's timestamp (corrected by its clock offset); the settling value (0x2A1E, optional)
 * is a live preview, never stored.
 */
export const thermometerDriver = defineGattDriver({
  profile: 'thermometer',
  service: '1809',
  streams: [
    stream({
      characteristic: '2a1c',
      mode: 'indicate',
      codec: temperatureMeasurement,
      observe: (m, ctx) => observeTemperature(m, ctx),
      timestamp: (m) => (m.timestamp ? { dateTime: m.timestamp } : null),
    }),
    stream({
      characteristic: '2a1e',
      mode: 'notify',
      codec: intermediateTemperature,
      optional: true,
      preview: (m) => ({ kind: 'temperature', value: mderValue(m.value), unit: m.unit }),
    }),
  ],
});
