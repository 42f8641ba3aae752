import { bodyCompositionMeasurement } from '../codecs/body-composition.ts';
import { weightMeasurement } from '../codecs/weight.ts';
import { observeBodyComposition, observeWeight } from '../observations/body-measures.ts';
import { defineGattDriver, stream } from './gatt-driver.ts';

const bodyComposition = stream({
  characteristic: '2a9c',
  service: '181b',
  mode: 'indicate',
  codec: bodyCompositionMeasurement,
  observe: observeBodyComposition,
  timestamp: (m) => (m.timestamp ? { dateTime: m.timestamp } : null),
});

/**
 * Weight Scale (0x181D) driver: weight (with BMI and height when sent) by indication (0x2A9D),
 * plus Body Composition (0x181B, 0x2A9C) when the same scale offers it. Timestamps are corrected
 * by the scale's clock offset.
 */
export const weightScaleDriver = defineGattDriver({
  profile: 'weight-scale',
  service: '181d',
  streams: [
    stream({
      characteristic: '2a9d',
      mode: 'indicate',
      codec: weightMeasurement,
      observe: observeWeight,
      timestamp: (m) => (m.timestamp ? { dateTime: m.timestamp } : null),
    }),
    { ...bodyComposition, optional: true },
  ],
});

/** Body Composition (0x181B) alone, for analysers that do not also expose a Weight Scale service. */
export const bodyCompositionDriver = defineGattDriver({
  profile: 'body-composition',
  service: '181b',
  streams: [bodyComposition],
});
