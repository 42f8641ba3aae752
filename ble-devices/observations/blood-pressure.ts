import type { BloodPressure } from '../codecs/blood-pressure.ts';
import { dateTimeToInstant } from '../codecs/date-time.ts';
import { CODES } from './codes.ts';
import type { ObservationDraft, ObserveContext } from './observation-draft.ts';
import { quantity } from './quantity.ts';

/**
 * A cuff reading as one BP panel (85354-9) with systolic/diastolic/mean components, plus a
 * separate pulse-rate observation when the cuff reports one. kPa stays kPa (a UCUM unit),
 * so no precision is invented by conversion. The device timestamp, corrected by the measured
 * clock offset, wins over the receive time.
 */
export function observeBloodPressure(m: BloodPressure, ctx: ObserveContext): ObservationDraft[] {
  const unit = m.unit === 'kPa' ? 'kPa' : 'mm[Hg]';
  const deviceTime = m.timestamp ? dateTimeToInstant(m.timestamp, ctx.utcOffsetMinutes) : null;
  const effective = deviceTime ? new Date(deviceTime.getTime() + ctx.deviceClockOffsetMs) : ctx.receivedAt;
  const effectiveAt = effective.toISOString();
  const panel: ObservationDraft = {
    code: CODES.bpPanel,
    value: null,
    components: [
      { code: CODES.systolic, value: quantity(m.systolic, unit) },
      { code: CODES.diastolic, value: quantity(m.diastolic, unit) },
      { code: CODES.meanArterial, value: quantity(m.meanArterial, unit) },
    ],
    status: 'final',
    category: 'vital-signs',
    effectiveAt,
  };
  if (!m.pulseRate) return [panel];
  return [
    panel,
    {
      code: CODES.heartRateCuff,
      value: quantity(m.pulseRate, '/min'),
      components: [],
      status: 'final',
      category: 'vital-signs',
      effectiveAt,
    },
  ];
}
