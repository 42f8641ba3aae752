import { heartRateMeasurement } from '../codecs/heart-rate.ts';
import { observeHeartRate } from '../observations/heart-rate.ts';
import { defineGattDriver, stream } from './gatt-driver.ts';

/**
 * Heart Rate (0x180D) driver: the measurement stream (0x2A37, notify), stamped with the kit's
 * clock (the profile has no timestamp); RR intervals and energy stay in the raw reading.
 */
export const heartRateDriver = defineGattDriver({
  profile: 'heart-rate',
  service: '180d',
  streams: [
    stream({
      characteristic: '2a37',
      mode: 'notify',
      codec: heartRateMeasurement,
      observe: observeHeartRate,
    }),
  ],
});
