import { existsSync, readFileSync } from 'node:fs';
import { hostname as osHostname, networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { ensureKitTls, type CredentialStore } from '../http/tls/kit-ca.ts';
import { kitNames, type KitNames } from '../http/tls/kit-names.ts';
import { certFingerprint } from '../link/carriers/hub-socket/hub-protocol.ts';
import { writeFileDurably } from './files.ts';

/** The hub's TLS identity: what its HTTPS server presents, and what clients trust. */
export interface HubTls {
  /** The leaf's private key, PEM (memory only when the hub made its own CA). */
  readonly key: string;
  /** What the server presents: the leaf, then the certificates up to (not including) the root. */
  readonly chain: string;
  /**
   * The certificate clients trust, PEM: the hub's own root CA (kits pin it as `--hub-cert`, a
   * specialist's browser installs it), or the operator's certificate when one was given.
   */
  readonly cert: string;
  /** SHA-256 of `cert`'s DER, upper-case hex pairs joined by ':' (as Node, openssl and browsers show it). */
  readonly fingerprint: string;
  /** True when an older hub's self-signed certificate and clear-text key were found and kept. */
  readonly legacy?: boolean;
}

/** The hub's root CA certificate (public) written to the data directory, for kits and browsers. */
export const HUB_CERT_FILE = 'hub-ca.crt';
/** An older hub's self-signed certificate and clear-text key: kept in use when present (kits pinned it). */
export const LEGACY_CERT_FILE = 'hub-tls.crt';
export const LEGACY_KEY_FILE = 'hub-tls.key';

/** Options of {@link loadHubTls}. */
export interface HubTlsOptions {
  /** The operator's own certificate chain and key (e.g. from a public CA), PEM files. */
  readonly certFile?: string;
  readonly keyFile?: string;
  /** The data directory: the root's PEM is written there; an older hub's files are looked for. */
  readonly dir?: string;
  /** Extra names or addresses the leaf must cover (a public name or NAT address kits reach the hub by). */
  readonly extraNames?: readonly string[];
  /** Defaults read the real host; tests pass their own. */
  readonly hostname?: string;
  readonly interfaces?: ReturnType<typeof networkInterfaces>;
  readonly now?: Date;
}

/**
 * The hub's certificates. Unless the operator gives their own, the hub is its own small CA
 * exactly as a kit is (the kit's issuing code, {@link ensureKitTls}): a root made once, a
 * name-constrained intermediate and a leaf for the hub's names and addresses, re-issued at start
 * when a name is new or expiry nears. Private keys live only in the hub's encrypted store; the
 * root's certificate (public) is written to `dir` so it can be handed to kits (`--hub-cert`) and
 * installed on a specialist's machine, which then trusts the hub without any certificate warning.
 */
export async function loadHubTls(store: CredentialStore, options: HubTlsOptions = {}): Promise<HubTls> {
  if (options.certFile || options.keyFile) {
    if (!options.certFile || !options.keyFile) throw new Error('give both --tls-cert and --tls-key');
    const cert = readFileSync(options.certFile, 'utf8');
    return {
      key: readFileSync(options.keyFile, 'utf8'),
      chain: cert,
      cert,
      fingerprint: certFingerprint(cert),
    };
  }
  if (options.dir) {
    const legacyCert = join(options.dir, LEGACY_CERT_FILE);
    const legacyKey = join(options.dir, LEGACY_KEY_FILE);
    if (existsSync(legacyCert) && existsSync(legacyKey)) {
      const cert = readFileSync(legacyCert, 'utf8');
      const key = readFileSync(legacyKey, 'utf8');
      return { key, chain: cert, cert, fingerprint: certFingerprint(cert), legacy: true };
    }
  }
  const hostname = options.hostname ?? osHostname();
  const extra = options.extraNames ?? [];
  const { material } = await ensureKitTls(store, {
    // The CA's name says whose it is in a browser's certificate list ("Fieldkit CA hub <host>").
    hostname: `hub ${hostname}`,
    names: withAddresses(
      kitNames(
        hostname,
        options.interfaces ?? networkInterfaces(),
        extra.filter((n) => isIP(n) === 0),
      ),
      extra.filter((n) => isIP(n) !== 0),
    ),
    now: options.now ?? new Date(),
  });
  if (options.dir) writeFileDurably(join(options.dir, HUB_CERT_FILE), material.rootPem, 0o644);
  return {
    key: material.key,
    chain: material.cert,
    cert: material.rootPem,
    fingerprint: material.rootFingerprint,
  };
}

function withAddresses(names: KitNames, ips: readonly string[]): KitNames {
  return { dns: names.dns, ips: [...new Set([...names.ips, ...ips])] };
}
