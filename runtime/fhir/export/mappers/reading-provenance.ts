import { createHash } from 'node:crypto';
import type { ObservationRecord } from '../../../../store/index.ts';
import type { Extension, Provenance } from '../../fhir-types.ts';
import { KIND, type MapContext } from '../context.ts';
import { decimal } from '../fhir-json.ts';
import { SYSTEMS } from './coding.ts';
import { EXTENSIONS } from './extensions.ts';

const ACTIVITY = 'http://terminology.hl7.org/CodeSystem/v3-DataOperation';
const PARTICIPANT = 'http://terminology.hl7.org/CodeSystem/provenance-participant-type';

/** The observations decoded from one instrument frame share one Provenance: this is the frame's key. */
export function frameKey(o: ObservationRecord): string {
  const p = o.provenance;
  return `${p.deviceId}\0${p.codec}\0${p.characteristic}\0${o.recordedAt}\0${Buffer.from(p.raw).toString('hex')}`;
}

/**
 * Where readings came from, down to the bytes: the frame the instrument sent (base64), the codec
 * and version that decoded it, the characteristic, and the instrument's clock offset. One
 * Provenance per frame, targeting every observation decoded from it (a cuff frame gives the BP
 * panel and the pulse). `readings` share one frame ({@link frameKey}).
 */
export function toReadingProvenance(
  readings: readonly ObservationRecord[],
  ctx: MapContext,
  deviceRef = true,
): Provenance {
  const first = readings[0];
  if (!first) throw new RangeError('a provenance needs at least one reading');
  const p = first.provenance;
  const raw = Buffer.from(p.raw.buffer, p.raw.byteOffset, p.raw.byteLength);
  const extension: Extension[] = [
    { url: EXTENSIONS.rawFrame, valueBase64Binary: raw.toString('base64') },
    { url: EXTENSIONS.codec, valueString: p.codec },
    { url: EXTENSIONS.codecVersion, valueString: p.codecVersion },
    { url: EXTENSIONS.characteristic, valueString: p.characteristic },
  ];
  if (p.clockOffsetMs !== undefined)
    extension.push({
      url: EXTENSIONS.clockOffset,
      valueQuantity: { value: decimal(p.clockOffsetMs, 0), unit: 'ms', system: SYSTEMS.ucum, code: 'ms' },
    });
  const device = ctx.names.ref(KIND.device, p.deviceId);
  return {
    resourceType: 'Provenance',
    target: readings.map((o) => ctx.names.ref(KIND.observation, o.id)),
    occurredDateTime: first.effectiveAt,
    recorded: first.recordedAt,
    activity: { coding: [{ system: ACTIVITY, code: 'CREATE', display: 'create' }] },
    agent: [
      {
        type: { coding: [{ system: PARTICIPANT, code: 'performer', display: 'Performer' }] },
        who: deviceRef ? device : { display: p.deviceName ?? p.deviceId },
      },
    ],
    entity: [
      {
        role: 'source',
        what: {
          identifier: {
            system: ctx.names.system('frame'),
            value: createHash('sha256').update(raw).digest('hex'),
          },
          display: `${p.codec} ${p.characteristic}`,
        },
        extension,
      },
    ],
  };
}
