import type { IdentifierProfile } from './identifier-profile.ts';

/**
 * N3.Health (the regional integration bus): identifier systems are `urn:oid` of its document-type
 * directory 1.2.643.2.69.1.1.1.6 — 223 СНИЛС, 228 unified полис ОМС, 14 passport of a citizen
 * of the Russian Federation.
 */
export const N3: IdentifierProfile = {
  name: 'n3',
  summary: 'N3.Health urn:oid systems (СНИЛС 1.2.643.2.69.1.1.1.6.223, ОМС …6.228)',
  documents: [
    { kind: 'snils', system: 'urn:oid:1.2.643.2.69.1.1.1.6.223' },
    { kind: 'oms', system: 'urn:oid:1.2.643.2.69.1.1.1.6.228' },
    { kind: 'passport', system: 'urn:oid:1.2.643.2.69.1.1.1.6.14' },
  ],
};
