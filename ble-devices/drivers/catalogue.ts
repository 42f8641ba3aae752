import { bloodPressureDriver } from './blood-pressure.ts';
import { contecCms50Driver } from './contec-cms50.ts';
import type { InstrumentDriver } from './driver.ts';
import { polarEcgDriver } from './polar-ecg.ts';
import { pulseOximeterDriver } from './pulse-oximeter.ts';

/** Every driver the kit ships; the instrument manager picks the first whose service a device advertises. */
export const DRIVERS: readonly InstrumentDriver[] = [
  // Before any Heart Rate driver: the H10 also advertises 0x180D, and the kit wants its ECG.
  polarEcgDriver,
  pulseOximeterDriver,
  bloodPressureDriver,
  contecCms50Driver,
];
