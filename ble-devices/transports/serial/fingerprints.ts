/**
 * USB fingerprints of the cables CMS50 oximeters ship with, scored the way zigbee-herdsman picks
 * an adapter: every attribute that matches adds to the score, the best-scoring table entry wins.
 * A fingerprint only makes a port worth probing: a CP2102 cable enumerates with no oximeter on
 * it, so a port becomes an instrument only once valid frames arrive (probe.ts).
 */
export interface UsbFingerprint {
  readonly name: string;
  /** Lower-case 4-hex USB ids, as serialport's list() reports them. */
  readonly vendorId: string;
  readonly productId: string;
  readonly manufacturer: RegExp;
  /** Matched against the /dev/serial/by-id name (vendor and product strings from udev). */
  readonly byIdName: RegExp;
  /** Added to the score when the ids match: the stock CMS50 cable is a CP210x. */
  readonly weight: number;
}

/** The bridges seen in CMS50 cables (DEVICES.md 9.1, 9.3). */
export const CMS50_CABLE_FINGERPRINTS: readonly UsbFingerprint[] = [
  {
    name: 'cp210x',
    vendorId: '10c4',
    productId: 'ea60',
    manufacturer: /silicon.?lab/i,
    byIdName: /silicon_labs|cp210/i,
    weight: 2,
  },
  {
    name: 'pl2303',
    vendorId: '067b',
    productId: '2303',
    manufacturer: /prolific/i,
    byIdName: /prolific|pl2303/i,
    weight: 1,
  },
];

/** What is known about a port before opening it (any field may be missing: ptys have none). */
export interface PortFacts {
  readonly path: string;
  readonly byIdName?: string;
  readonly vendorId?: string;
  readonly productId?: string;
  readonly manufacturer?: string;
  readonly serialNumber?: string;
}

/** The best fingerprint for a port and its score; null when nothing matches. */
export interface FingerprintMatch {
  readonly fingerprint: string;
  readonly score: number;
}

/**
 * Scores a port against the table: vendor and product ids together 4 (+ the entry's weight),
 * manufacturer string 2, by-id name 2. Ids that contradict the entry disqualify it.
 */
export function scorePort(
  facts: PortFacts,
  table: readonly UsbFingerprint[] = CMS50_CABLE_FINGERPRINTS,
): FingerprintMatch | null {
  let best: FingerprintMatch | null = null;
  for (const fp of table) {
    const vid = facts.vendorId?.toLowerCase();
    const pid = facts.productId?.toLowerCase();
    if (vid !== undefined && pid !== undefined && (vid !== fp.vendorId || pid !== fp.productId)) continue;
    let score = 0;
    if (vid === fp.vendorId && pid === fp.productId) score += 4 + fp.weight;
    if (facts.manufacturer !== undefined && fp.manufacturer.test(facts.manufacturer)) score += 2;
    if (facts.byIdName !== undefined && fp.byIdName.test(facts.byIdName)) score += 2;
    if (score > 0 && (best === null || score > best.score)) best = { fingerprint: fp.name, score };
  }
  return best;
}
