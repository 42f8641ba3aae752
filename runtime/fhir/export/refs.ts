import { createHash } from 'node:crypto';
import type { Identifier, Reference } from '../fhir-types.ts';

/**
 * Names that stay the same every time a record is exported: a resource's `urn:uuid` and the
 * kit's own identifier are derived from the kit's public signing key and the record id, so the
 * same visit exported twice gives the same bundle, and two kits never collide.
 */
export class KitNames {
  /** Short, stable name of this kit (hex of a hash of its public signing key). */
  readonly kitId: string;

  constructor(signingPublicKey: Uint8Array) {
    this.kitId = createHash('sha256')
      .update('fieldkit-kit\0')
      .update(signingPublicKey)
      .digest('hex')
      .slice(0, 32);
  }

  /** A name-based UUID (RFC 9562 version 8 layout over SHA-256) for a record of a kind. */
  uuid(kind: string, localId: string): string {
    const h = createHash('sha256')
      .update(this.kitId)
      .update('\0')
      .update(kind)
      .update('\0')
      .update(localId)
      .digest();
    h[6] = (h[6]! & 0x0f) | 0x80;
    h[8] = (h[8]! & 0x3f) | 0x80;
    const x = h.subarray(0, 16).toString('hex');
    return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
  }

  /** The bundle `fullUrl` of a record. */
  fullUrl(kind: string, localId: string): string {
    return `urn:uuid:${this.uuid(kind, localId)}`;
  }

  /** A reference to a record exported in the same bundle. */
  ref(kind: string, localId: string, display?: string): Reference {
    return display === undefined
      ? { reference: this.fullUrl(kind, localId) }
      : { reference: this.fullUrl(kind, localId), display };
  }

  /** The identifier system of this kit's records of a kind. */
  system(kind: string): string {
    return `urn:fieldkit:kit:${this.kitId}:${kind}`;
  }

  /** This kit's identifier of a record: what conditional creates search for. */
  identifier(kind: string, localId: string): Identifier {
    return { use: 'secondary', system: this.system(kind), value: localId };
  }
}

/** `ifNoneExist` for an identifier: `identifier=system|value`, URL-encoded as a search parameter. */
export function ifNoneExistFor(identifier: Identifier): string {
  return `identifier=${encodeURIComponent(`${identifier.system ?? ''}|${identifier.value ?? ''}`)}`;
}
