import { featureWordCodec } from './feature-word.ts';

/** Weight resolution codes 0-7 of WSS/BCS features as [kg, lb] steps (0 = not specified). */
export const MASS_RESOLUTION: ReadonlyArray<readonly [number, number] | null> = [
  null,
  [0.5, 1],
  [0.2, 0.5],
  [0.1, 0.2],
  [0.05, 0.1],
  [0.02, 0.05],
  [0.01, 0.02],
  [0.005, 0.01],
];

/** Height resolution codes 0-3 as [m, in] steps (0 = not specified). */
export const HEIGHT_RESOLUTION: ReadonlyArray<readonly [number, number] | null> = [
  null,
  [0.01, 1],
  [0.005, 0.5],
  [0.001, 0.1],
];

/**
 * Codec for Weight Scale Feature (0x2A9E, DEVICES.md 6.2). The resolution codes give the scale's
 * real precision; the measurement keeps its fixed 0.005 kg step ([likely], see 6.2).
 */
export const weightScaleFeature = featureWordCodec({
  name: 'weight_scale_feature',
  uuid: 0x2a9e,
  size: 4,
  view(raw) {
    const weightCode = (raw >>> 3) & 0x0f;
    const heightCode = (raw >>> 7) & 0x07;
    const weight = MASS_RESOLUTION[weightCode] ?? null;
    const height = HEIGHT_RESOLUTION[heightCode] ?? null;
    return {
      timestamp_supported: (raw & 0x01) !== 0,
      multiple_users: (raw & 0x02) !== 0,
      bmi_supported: (raw & 0x04) !== 0,
      weight_resolution_code: weightCode,
      height_resolution_code: heightCode,
      weight_resolution_kg: weight ? weight[0] : null,
      weight_resolution_lb: weight ? weight[1] : null,
      height_resolution_m: height ? height[0] : null,
      height_resolution_in: height ? height[1] : null,
    };
  },
});
