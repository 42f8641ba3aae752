import { bloodPressureMeasurement, intermediateCuffPressure } from '../codecs/blood-pressure.ts';
import { mderValue } from '../codecs/ieee11073-float.ts';
import { observeBloodPressure } from '../observations/blood-pressure.ts';
import { defineGattDriver, stream } from './gatt-driver.ts';

/**
 * Blood Pressure Service (0x1810) driver: measurements arrive as indications (0x2A35) and are
 * stored, at the cuff's timestamp corrected by its clock offset (cuffs with memory send their
 * stored records the same way on connect); intermediate cuff pressure (0x2A36, optional) is a
 * live preview only.
 */
export const bloodPressureDriver = defineGattDriver({
  profile: 'blood-pressure',
  service: '1810',
  streams: [
    stream({
      characteristic: '2a35',
      mode: 'indicate',
      codec: bloodPressureMeasurement,
      observe: observeBloodPressure,
      timestamp: (m) => (m.timestamp ? { dateTime: m.timestamp } : null),
    }),
    stream({
      characteristic: '2a36',
      mode: 'notify',
      codec: intermediateCuffPressure,
      optional: true,
      preview: (m) => ({
        kind: 'cuff-pressure',
        value: mderValue(m.systolic),
        unit: m.unit === 'kPa' ? 'kPa' : 'mm[Hg]',
      }),
    }),
  ],
});
