import type { Codec } from './codec.ts';
import { uuidKey } from './uuid.ts';

/**
 * What the kit keeps with every reading so a decode can be re-checked later: the exact bytes,
 * which codec (and version) read them, and from which characteristic or serial profile.
 */
export interface ReadingProvenance {
  readonly raw: Uint8Array;
  readonly codec: string;
  readonly codecVersion: string;
  /** Short GATT UUID (`2a37`) or, for serial formats, the codec name. */
  readonly characteristic: string;
}

/** Builds provenance, copying the bytes: transports may reuse their receive buffers. */
export function provenanceOf(
  codec: Codec<unknown>,
  raw: Uint8Array,
  characteristic?: string,
): ReadingProvenance {
  const source = characteristic ?? (codec.uuid === null ? codec.name : codec.uuid);
  return {
    raw: raw.slice(),
    codec: codec.name,
    codecVersion: codec.version,
    characteristic: typeof source === 'number' ? uuidKey(source) : uuidKey(source),
  };
}

/** A decoded value with its provenance: the unit drivers hand to the pipeline. */
export interface ProvenancedReading<T> {
  readonly value: T;
  readonly provenance: ReadingProvenance;
}

/** Decodes and attaches provenance in one step (throws the codec's CodecError unchanged). */
export function decodeWithProvenance<T>(
  codec: Codec<T>,
  raw: Uint8Array,
  characteristic?: string,
): ProvenancedReading<T> {
  const value = codec.decode(raw);
  return { value, provenance: provenanceOf(codec, raw, characteristic) };
}
