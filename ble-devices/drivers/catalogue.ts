import { bloodPressureDriver } from './blood-pressure.ts';
import { contecCms50Driver } from './contec-cms50.ts';
import type { InstrumentDriver } from './driver.ts';
import { glucoseDriver } from './glucose.ts';
import { heartRateDriver } from './heart-rate.ts';
import { polarEcgDriver } from './polar-ecg.ts';
import { pulseOximeterDriver } from './pulse-oximeter.ts';
import { thermometerDriver } from './thermometer.ts';
import { bodyCompositionDriver, weightScaleDriver } from './weight-scale.ts';

/**
 * Every driver the kit ships; the instrument manager picks the first whose service a device
 * advertises (a scale with body composition is a weight scale first).
 */
export const DRIVERS: readonly InstrumentDriver[] = [
  // Before the Heart Rate driver: the H10 also advertises 0x180D, and the kit wants its ECG.
  polarEcgDriver,
  pulseOximeterDriver,
  bloodPressureDriver,
  glucoseDriver,
  thermometerDriver,
  weightScaleDriver,
  bodyCompositionDriver,
  heartRateDriver,
  contecCms50Driver,
];
