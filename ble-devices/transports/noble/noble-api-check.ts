import type * as Noble from '@abandonware/noble';
import type { NobleCharacteristic, NobleLike, NoblePeripheral, NobleService } from './noble-api.ts';

/**
 * Compile-time proof that the narrow API of noble-api.ts is what @abandonware/noble's own type
 * definitions declare (the module is never loaded here: type-only imports). `state` is the one
 * member its typings lack (they declare `_state`); noble.js defines the `state` getter.
 */
export type NobleApiMatches = [
  Noble.Characteristic extends NobleCharacteristic ? true : never,
  Noble.Service extends NobleService ? true : never,
  Noble.Peripheral extends NoblePeripheral ? true : never,
  Omit<typeof Noble, '_state'> & { readonly state: string } extends NobleLike ? true : never,
];

/** Fails to compile if any entry above is `never`. */
export const NOBLE_API_MATCHES: NobleApiMatches = [true, true, true, true];
