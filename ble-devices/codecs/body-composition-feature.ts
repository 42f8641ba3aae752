import { bitNames } from './codec.ts';
import { featureWordCodec } from './feature-word.ts';
import type { NameTable } from './tables.ts';
import { HEIGHT_RESOLUTION, MASS_RESOLUTION } from './weight-scale-feature.ts';

/** Body Composition Feature support bits 0-10 (DEVICES.md 6.3). */
export const BODY_COMPOSITION_FEATURE_BITS: NameTable = [
  'timestamp_supported',
  'multiple_users_supported',
  'basal_metabolism_supported',
  'muscle_percentage_supported',
  'muscle_mass_supported',
  'fat_free_mass_supported',
  'soft_lean_mass_supported',
  'body_water_mass_supported',
  'impedance_supported',
  'weight_supported',
  'height_supported',
];

/** Codec for Body Composition Feature (0x2A9B): supported fields plus mass/height resolution codes. */
export const bodyCompositionFeature = featureWordCodec({
  name: 'body_composition_feature',
  uuid: 0x2a9b,
  size: 4,
  view(raw) {
    const massCode = (raw >>> 11) & 0x0f;
    const heightCode = (raw >>> 15) & 0x07;
    const mass = MASS_RESOLUTION[massCode] ?? null;
    const height = HEIGHT_RESOLUTION[heightCode] ?? null;
    return {
      features: bitNames(raw, BODY_COMPOSITION_FEATURE_BITS),
      mass_resolution_code: massCode,
      height_resolution_code: heightCode,
      mass_resolution_kg: mass ? mass[0] : null,
      height_resolution_m: height ? height[0] : null,
    };
  },
});
