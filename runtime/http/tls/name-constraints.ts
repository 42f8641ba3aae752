import { x509 } from './x509.ts';
import { concat, readTlvs, tlv } from './der.ts';

/** The nameConstraints extension's OID (RFC 5280 §4.2.1.10). */
export const NAME_CONSTRAINTS_OID = '2.5.29.30';

/** What an intermediate may issue for: DNS names (and their subdomains) and IP ranges in CIDR form. */
export interface PermittedNames {
  readonly dns: readonly string[];
  /** `192.168.1.20/32`, `::1/128`, … */
  readonly ipRanges: readonly string[];
}

const SEQUENCE = 0x30;
const PERMITTED = 0xa0; // [0] IMPLICIT, constructed

/**
 * A critical nameConstraints extension permitting only the given names and ranges: a
 * certificate under it for any other DNS name or address fails path validation (Chromium
 * enforces it), so even a stolen intermediate key cannot impersonate another site.
 */
export function nameConstraintsExtension(permitted: PermittedNames): x509.Extension {
  const subtrees = [
    ...permitted.dns.map((d) => new x509.GeneralName('dns', d)),
    ...permitted.ipRanges.map((r) => new x509.GeneralName('ip', r)),
  ].map((g) => tlv(SEQUENCE, new Uint8Array(g.rawData)));
  if (subtrees.length === 0) throw new Error('name constraints: nothing permitted');
  const value = tlv(SEQUENCE, tlv(PERMITTED, concat(subtrees)));
  return new x509.Extension(NAME_CONSTRAINTS_OID, true, new Uint8Array(value));
}

/** Reads a nameConstraints extension value back (permitted subtrees only; excluded ones are ignored). */
export function readNameConstraints(value: Uint8Array): PermittedNames {
  const [outer] = readTlvs(value);
  if (outer?.tag !== SEQUENCE) throw new Error('name constraints: not a SEQUENCE');
  const dns: string[] = [];
  const ipRanges: string[] = [];
  for (const part of readTlvs(outer.content)) {
    if (part.tag !== PERMITTED) continue;
    for (const subtree of readTlvs(part.content)) {
      const [base] = readTlvs(subtree.content);
      if (!base) continue;
      const name = new x509.GeneralName(new Uint8Array(base.element));
      if (name.type === 'dns') dns.push(name.value);
      else if (name.type === 'ip') ipRanges.push(name.value);
    }
  }
  return { dns, ipRanges };
}
