import { z } from 'zod';
import type { ObservationInput } from '../../../store/index.ts';
import { codeManualMeasure } from '../../../pwa/shared/manual-measure.ts';
import { ACVPU_LEVELS } from '../../../pwa/shared/vital-codes.ts';

/** A vital typed on the tablet: the NEWS2 parameters no instrument measures (and temperature). */
export const ManualMeasure = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('respiration-rate'), value: z.number().int().min(1).max(80) }),
    z.object({ type: z.literal('consciousness'), value: z.enum(ACVPU_LEVELS) }),
    z.object({
      type: z.literal('oxygen'),
      onOxygen: z.boolean(),
      /** Litres per minute when on oxygen. */
      flowLpm: z.number().min(0.5).max(60).optional(),
    }),
    z.object({ type: z.literal('temperature'), value: z.number().min(25).max(45) }),
  ])
  .refine((m) => m.type !== 'oxygen' || !m.onOxygen || m.flowLpm !== undefined, {
    message: 'on oxygen: give the flow in L/min (0 L/min means room air)',
    path: ['flowLpm'],
  });

/**
 * The observation a manual entry is stored as: coded like an instrument reading, with provenance
 * naming the tablet and keeping exactly what was typed (as UTF-8 JSON) in place of device bytes.
 */
export function manualObservation(
  m: z.output<typeof ManualMeasure>,
  where: { visitId: string; patientId: string | null; author: string; tabletId: string; enteredAt: string },
): ObservationInput {
  const q = codeManualMeasure(m);
  return {
    visitId: where.visitId,
    patientId: where.patientId,
    code: { loinc: q.loinc, display: q.display },
    value: { kind: 'quantity', value: q.value, precision: q.precision, unit: q.unit },
    components: [],
    status: 'final',
    category: 'vital-signs',
    effectiveAt: where.enteredAt,
    provenance: {
      deviceId: `tablet:${where.tabletId}`.slice(0, 128),
      deviceName: where.author.slice(0, 128),
      characteristic: 'manual',
      codec: 'manual-entry',
      codecVersion: '1',
      raw: new TextEncoder().encode(JSON.stringify(m)),
    },
  };
}
