import type { KitNames } from '../tls/kit-names.ts';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1']);

/** True for the names by which only the kit itself reaches itself. */
export function isLoopbackName(host: string): boolean {
  return LOOPBACK.has(host) || host.startsWith('127.');
}

/** The address tablets on the Wi-Fi most likely reach the kit at: its first non-loopback IPv4, else IPv6. */
export function primaryAddress(names: KitNames): string | undefined {
  const remote = names.ips.filter((ip) => !isLoopbackName(ip));
  return remote.find((ip) => !ip.includes(':')) ?? remote[0];
}

/** The host name of a Host header (`[::1]:8470` → `::1`), lower case; undefined if malformed. */
export function hostOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+))(?::\d{1,5})?$/.exec(header.trim());
  return (m?.[1] ?? m?.[2])?.toLowerCase();
}

/**
 * The host to put in links handed to a tablet: the one the request came by when it is one of
 * the kit's names (never an arbitrary Host header: no open redirect), else the kit's LAN address.
 * A page viewed on the kit's own screen (loopback) gets the LAN address, since a tablet cannot
 * reach the kit's `localhost`.
 */
export function linkHost(requestHost: string | undefined, names: KitNames): string {
  const known = new Set([...names.dns, ...names.ips]);
  if (requestHost !== undefined && known.has(requestHost) && !isLoopbackName(requestHost)) return requestHost;
  return primaryAddress(names) ?? requestHost ?? 'localhost';
}

/** `host:port` for a URL, IPv6 in brackets. */
export function authority(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The host to redirect to: the request's own when it is one of the kit's names (loopback too), else the LAN address. */
export function redirectHost(requestHost: string | undefined, names: KitNames): string {
  const known = new Set([...names.dns, ...names.ips]);
  if (requestHost !== undefined && known.has(requestHost)) return requestHost;
  return linkHost(undefined, names);
}
