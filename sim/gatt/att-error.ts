/**
 * An ATT error a simulated instrument answers a write or read with (RACP 0x80 "procedure already
 * in progress", 0x81 "CCCD improperly configured", 0xFF "out of range"...). Transports surface it
 * as `not_permitted`; the simulated BlueZ maps `attError` to the D-Bus error a real stack returns
 * (`Operation failed with ATT error: 0x80`).
 */
export class SimAttError extends Error {
  constructor(
    readonly attError: number,
    detail: string,
  ) {
    super(`ATT error 0x${attError.toString(16).padStart(2, '0')}: ${detail}`);
    this.name = 'SimAttError';
  }
}

/** ATT error codes the simulators use (Core Spec Vol 3 Part F 3.4.1.1, service-specific 0x80+). */
export const ATT = {
  /** GLS/PLXS: a RACP procedure is already running. */
  procedureAlreadyInProgress: 0x80,
  /** GLS/PLXS: RACP written before its indications (or the record notifications) were enabled. */
  cccdImproperlyConfigured: 0x81,
  /** Common profile error: the written value is outside the allowed range. */
  outOfRange: 0xff,
} as const;
