import type { ObservationRecord } from '../../../../store/index.ts';
import type { Observation } from '../../fhir-types.ts';
import { KIND, type MapContext } from '../context.ts';
import { categoryOf, observationCode, valueOf } from './coding.ts';
import { instrumentFlags } from './observation-flags.ts';

/**
 * A stored reading as an Observation: LOINC + MDC code, UCUM value with the instrument's
 * precision (or the reason it is absent), BP as a panel with systolic/diastolic/mean components,
 * the effective time the pipeline corrected, the commit time as `issued`, the instrument as
 * `device`, and the instrument's own flags as interpretation and notes. `deviceRef` is false for
 * readings no instrument made (entered by hand).
 */
export function toObservation(o: ObservationRecord, ctx: MapContext, deviceRef = true): Observation {
  const flags = instrumentFlags(o);
  return {
    resourceType: 'Observation',
    identifier: [ctx.names.identifier(KIND.observation, o.id)],
    status: o.status,
    category: [categoryOf(o.category)],
    code: observationCode(o.code),
    ...(o.patientId === null ? {} : { subject: ctx.names.ref(KIND.patient, o.patientId) }),
    ...(o.visitId === null ? {} : { encounter: ctx.names.ref(KIND.visit, o.visitId) }),
    effectiveDateTime: o.effectiveAt,
    issued: o.recordedAt,
    ...(o.value === null ? {} : valueOf(o.value)),
    ...(flags.interpretation.length > 0 ? { interpretation: flags.interpretation } : {}),
    ...(flags.notes.length > 0 ? { note: flags.notes.map((text) => ({ text })) } : {}),
    ...(deviceRef ? { device: ctx.names.ref(KIND.device, o.provenance.deviceId) } : {}),
    ...(o.components.length > 0
      ? { component: o.components.map((c) => ({ code: observationCode(c.code), ...valueOf(c.value) })) }
      : {}),
  };
}
