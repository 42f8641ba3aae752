import type { NetworkInterfaceInfo } from 'node:os';

/** The names and addresses tablets may reach the kit by: what its certificates must cover. */
export interface KitNames {
  /** `localhost`, the host name, its `.local` (mDNS) form, lower case, no duplicates. */
  readonly dns: readonly string[];
  /** Every interface address except IPv6 link-local ones (unusable in a URL without a zone). */
  readonly ips: readonly string[];
}

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The kit's names from its host name and interfaces (arguments so tests pass their own; the
 * kit passes `os.hostname()` and `os.networkInterfaces()`). A host name that is not a valid DNS
 * name is left out rather than put in a certificate Chromium would refuse.
 */
export function kitNames(
  hostname: string,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>,
  extraDns: readonly string[] = [],
): KitNames {
  const dns = new Set<string>(['localhost']);
  const host = hostname.trim().toLowerCase().replace(/\.$/, '');
  const labels = host.split('.');
  if (host !== '' && labels.every((l) => DNS_LABEL.test(l))) {
    dns.add(host);
    if (labels.length === 1) dns.add(`${host}.local`);
  }
  for (const d of extraDns) dns.add(d.toLowerCase());
  const ips = new Set<string>(['127.0.0.1', '::1']);
  for (const list of Object.values(interfaces))
    for (const i of list ?? []) {
      if (i.family === 'IPv6' && /^fe[89ab]/i.test(i.address)) continue;
      ips.add(i.address);
    }
  return { dns: [...dns], ips: [...ips] };
}

/** True when every name and address of `wanted` is among `have`. */
export function covers(have: KitNames, wanted: KitNames): boolean {
  const dns = new Set(have.dns);
  const ips = new Set(have.ips);
  return wanted.dns.every((d) => dns.has(d)) && wanted.ips.every((i) => ips.has(i));
}

/** The CIDR range of exactly one address (`/32` or `/128`), for name constraints. */
export function hostRange(ip: string): string {
  return ip.includes(':') ? `${ip}/128` : `${ip}/32`;
}
