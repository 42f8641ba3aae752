import type { ContecLive5 } from '../codecs/contec/frame-5byte.ts';
import { live9Valid, type ContecLive9 } from '../codecs/contec/frame-9byte.ts';
import { CODES } from './codes.ts';
import type { DraftCode, ObservationDraft, ObserveContext } from './observation-draft.ts';

function reading(code: DraftCode, value: number, unit: string, at: string): ObservationDraft {
  // A literal per call, not a spread of a shared base: this runs 60 times a second per oximeter.
  return {
    code,
    value: { kind: 'quantity', value, precision: 0, unit },
    components: [],
    status: 'final',
    category: 'vital-signs',
    effectiveAt: at,
  };
}

function oximetry(spo2: number, pulseRate: number, ctx: ObserveContext): ObservationDraft[] {
  const at = ctx.receivedAt.toISOString();
  const out: ObservationDraft[] = [];
  // 0 and 101-127 (typically 127) are the devices' "no value" fillers, not readings.
  if (spo2 > 0 && spo2 <= 100) out.push(reading(CODES.spo2, spo2, '%', at));
  if (pulseRate > 0 && pulseRate < 255) out.push(reading(CODES.heartRateOximeter, pulseRate, '/min', at));
  return out;
}

/**
 * A 5-byte CMS50 live frame as SpO2 and pulse rate at the collector time. While the device is
 * searching, reports finger out or a probe error the numbers mean nothing: no observation.
 */
export function observeContecLive5(m: ContecLive5, ctx: ObserveContext): ObservationDraft[] {
  if (m.fingerOut || m.searching || m.probeError) return [];
  return oximetry(m.spo2, m.pulseRate, ctx);
}

/** A 9-byte live frame: observations only when the status byte says PR/SpO2 are valid. */
export function observeContecLive9(m: ContecLive9, ctx: ObserveContext): ObservationDraft[] {
  return live9Valid(m) ? oximetry(m.spo2, m.pulseRate, ctx) : [];
}
