import { temperatureTypeName } from '../codecs/temperature-type.ts';
import type { TemperatureMeasurement } from '../codecs/temperature.ts';
import { CODES } from './codes.ts';
import { effectiveAt } from './effective-time.ts';
import type { ObservationDraft, ObserveContext } from './observation-draft.ts';
import { quantity } from './quantity.ts';

/**
 * A thermometer reading as 8310-5 in Cel or [degF] (no conversion, the device precision is
 * kept), at the device time when it sent one. The Temperature Type becomes the body site; a
 * thermometer with a fixed site passes it in `fixedSite` (read once from 0x2A1D).
 */
export function observeTemperature(
  m: TemperatureMeasurement,
  ctx: ObserveContext,
  fixedSite?: number,
): ObservationDraft[] {
  const site = m.temperatureType ?? fixedSite ?? null;
  const draft: ObservationDraft = {
    code: CODES.bodyTemperature,
    value: quantity(m.value, m.unit),
    components: [],
    status: 'final',
    category: 'vital-signs',
    effectiveAt: effectiveAt(m.timestamp, ctx),
  };
  return [site === null ? draft : { ...draft, bodySite: temperatureTypeName(site) }];
}
