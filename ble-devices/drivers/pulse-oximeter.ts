import { plxContinuous } from '../codecs/plx-continuous.ts';
import { plxSpotCheck } from '../codecs/plx-spot-check.ts';
import { observePlxContinuous, observePlxSpotCheck } from '../observations/plx.ts';
import { defineGattDriver, stream } from './gatt-driver.ts';

/**
 * Pulse Oximeter Service (0x1822) driver: the continuous stream (0x2A5F, notify, collector time)
 * and spot-check readings (0x2A5E, indicate, device time unless the oximeter says its clock was
 * never set). An oximeter offers at least one of the two.
 */
export const pulseOximeterDriver = defineGattDriver({
  profile: 'pulse-oximeter',
  service: '1822',
  streams: [
    stream({
      characteristic: '2a5f',
      mode: 'notify',
      codec: plxContinuous,
      observe: observePlxContinuous,
      optional: true,
    }),
    stream({
      characteristic: '2a5e',
      mode: 'indicate',
      codec: plxSpotCheck,
      observe: observePlxSpotCheck,
      optional: true,
      timestamp: (m) => (m.timestamp && !m.deviceClockNotSet ? { dateTime: m.timestamp } : null),
    }),
  ],
});
