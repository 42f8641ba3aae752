import { bloodPressureDriver } from './blood-pressure.ts';
import { contecCms50Driver } from './contec-cms50.ts';
import type { InstrumentDriver } from './driver.ts';
import { pulseOximeterDriver } from './pulse-oximeter.ts';

/** Every driver the kit ships; the instrument manager picks the first whose service a device advertises. */
export const DRIVERS: readonly InstrumentDriver[] = [
  pulseOximeterDriver,
  bloodPressureDriver,
  contecCms50Driver,
];
