import type { CodeableConcept, Device } from '../../fhir-types.ts';
import { KIND, type MapContext } from '../context.ts';
import { fhirText } from '../fhir-json.ts';
import type { InstrumentFacts } from '../instrument-facts.ts';

const MDC = 'urn:iso:std:iso:11073:10101';

/** IEEE 11073 personal-health device specialisations (MDC_DEV_SPEC_PROFILE_*), by codec. */
const DEVICE_TYPES: ReadonlyArray<readonly [RegExp, CodeableConcept]> = [
  [
    /^blood_pressure/,
    { coding: [{ system: MDC, code: '528391', display: 'MDC_DEV_SPEC_PROFILE_BPM' }], text: 'тонометр' },
  ],
  [
    /^(plx_|contec_)/,
    {
      coding: [{ system: MDC, code: '528388', display: 'MDC_DEV_SPEC_PROFILE_PULS_OXIM' }],
      text: 'пульсоксиметр',
    },
  ],
  [
    /^temperature/,
    { coding: [{ system: MDC, code: '528392', display: 'MDC_DEV_SPEC_PROFILE_THERM' }], text: 'термометр' },
  ],
  [
    /^(weight|body_composition)/,
    { coding: [{ system: MDC, code: '528399', display: 'MDC_DEV_SPEC_PROFILE_SCALE' }], text: 'весы' },
  ],
  [
    /^glucose/,
    { coding: [{ system: MDC, code: '528401', display: 'MDC_DEV_SPEC_PROFILE_GLUCOSE' }], text: 'глюкометр' },
  ],
  [/^heart_rate/, { text: 'датчик пульса' }],
  [/^(polar_pmd|pmd_)/, { text: 'электрокардиограф' }],
];

function deviceType(codec: string | undefined): CodeableConcept | undefined {
  if (codec === undefined) return undefined;
  return DEVICE_TYPES.find(([re]) => re.test(codec))?.[1];
}

const text = (s: string | undefined): string => (s === undefined ? '' : fhirText(s));

/**
 * An instrument as a Device: model, serial number and firmware from its Device Information, its
 * name as the brigade sees it, its kind by the IEEE 11073 device specialisation where one applies.
 */
export function toDevice(f: InstrumentFacts, ctx: MapContext): Device {
  const name = text(f.name);
  const model = text(f.model);
  const firmware = text(f.firmware);
  const manufacturer = text(f.manufacturer);
  const serial = text(f.serial);
  const type = deviceType(f.codec);
  return {
    resourceType: 'Device',
    identifier: [ctx.names.identifier(KIND.device, f.deviceId)],
    status: 'active',
    ...(manufacturer ? { manufacturer } : {}),
    ...(serial ? { serialNumber: serial } : {}),
    ...(model ? { modelNumber: model } : {}),
    ...(name || model
      ? {
          deviceName: [
            ...(name ? [{ name, type: 'user-friendly-name' as const }] : []),
            ...(model ? [{ name: model, type: 'model-name' as const }] : []),
          ],
        }
      : {}),
    ...(type ? { type } : {}),
    ...(firmware ? { version: [{ type: { text: 'firmware' }, value: firmware }] } : {}),
  };
}
