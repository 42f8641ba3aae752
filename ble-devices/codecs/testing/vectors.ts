import { existsSync, readFileSync } from 'node:fs';
import type { Json } from '../codec.ts';

/** One entry of shared/devices/vectors.json. */
export interface Vector {
  readonly id: string;
  readonly profile: string;
  readonly characteristic: string;
  readonly hex: string;
  readonly expected: { readonly [key: string]: Json };
  readonly notes: string;
}

/** The spec's own file, beside the repository (as on every developer machine and in CI). */
export const SHARED_VECTORS = new URL('../../../../shared/devices/vectors.json', import.meta.url);
/** A copy kept beside the tests so they also run in a lone clone; a test checks it matches the spec's. */
export const LOCAL_VECTORS = new URL('./vectors.json', import.meta.url);

const VECTORS_PATH =
  process.env.FIELDKIT_VECTORS ?? (existsSync(SHARED_VECTORS) ? SHARED_VECTORS : LOCAL_VECTORS);

/** The shared vectors (path overridable with FIELDKIT_VECTORS, e.g. to test a newer spec copy). */
export function loadVectors(): readonly Vector[] {
  return (JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as { vectors: Vector[] }).vectors;
}

/**
 * Where `actual` fails to contain `expected` (numbers equal within 1e-9 relative, objects by
 * subset of keys, arrays element-wise); empty when it matches. The CLI contract of issue 3.
 */
export function mismatches(expected: Json, actual: Json | undefined, path = '$'): string[] {
  if (typeof expected === 'number') {
    if (typeof actual !== 'number') return [`${path}: expected ${expected}, got ${JSON.stringify(actual)}`];
    const tolerance = 1e-9 * Math.max(Math.abs(expected), Math.abs(actual));
    return Math.abs(expected - actual) <= tolerance ? [] : [`${path}: expected ${expected}, got ${actual}`];
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      return [`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
    }
    return expected.flatMap((e, i) => mismatches(e, actual[i], `${path}[${i}]`));
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
      return [`${path}: expected an object, got ${JSON.stringify(actual)}`];
    }
    return Object.entries(expected).flatMap(([k, e]) => mismatches(e, actual[k], `${path}.${k}`));
  }
  return expected === actual
    ? []
    : [`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
}
