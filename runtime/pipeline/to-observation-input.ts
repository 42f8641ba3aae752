import type { Reading } from '../../ble-devices/drivers/driver.ts';
import type { ObservationInput } from '../../store/schema/observation.ts';

/** Where the reading belongs: the visit open on the tablet, if any. */
export interface VisitContext {
  readonly visitId: string | null;
  readonly patientId: string | null;
}

/**
 * Turns a driver reading into the store's observation inputs: the FHIR-ready drafts plus the
 * visit and the provenance (raw bytes, codec and version, characteristic, device, clock offset,
 * the device's own time, serial and record number when known).
 */
export function toObservationInputs(reading: Reading, visit: VisitContext): ObservationInput[] {
  const provenance = {
    deviceId: reading.deviceId,
    deviceName: reading.deviceName,
    characteristic: reading.characteristic,
    codec: reading.codec,
    codecVersion: reading.codecVersion,
    raw: new Uint8Array(reading.raw),
    clockOffsetMs: reading.clockOffsetMs,
    ...(reading.deviceTime === undefined ? {} : { deviceTime: reading.deviceTime }),
    ...(reading.serial === undefined ? {} : { serial: reading.serial.slice(0, 128) }),
    ...(reading.sequenceNumber === undefined ? {} : { sequenceNumber: reading.sequenceNumber }),
  };
  return reading.observations.map((draft) => ({
    visitId: visit.visitId,
    patientId: visit.patientId,
    code: { ...draft.code },
    value: draft.value ? { ...draft.value } : null,
    components: draft.components.map((c) => ({ code: { ...c.code }, value: { ...c.value } })),
    status: draft.status,
    category: draft.category,
    effectiveAt: draft.effectiveAt,
    provenance,
  }));
}
