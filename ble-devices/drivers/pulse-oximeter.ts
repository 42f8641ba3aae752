import { plxContinuous } from '../codecs/plx-continuous.ts';
import { observePlxContinuous } from '../observations/plx.ts';
import { defineGattDriver, stream } from './gatt-driver.ts';

/** Pulse Oximeter Service (0x1822) driver: the continuous stream (0x2A5F, notify). */
export const pulseOximeterDriver = defineGattDriver({
  profile: 'pulse-oximeter',
  service: '1822',
  streams: [
    stream({ characteristic: '2a5f', mode: 'notify', codec: plxContinuous, observe: observePlxContinuous }),
  ],
});
