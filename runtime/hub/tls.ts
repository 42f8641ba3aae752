import { existsSync, readFileSync } from 'node:fs';
import { hostname as osHostname, networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { CredentialStore, TlsMaterial } from '../http/tls/kit-ca.ts';
import { KitTls } from '../http/tls/kit-tls.ts';
import { certFingerprint } from '../link/carriers/hub-socket/hub-protocol.ts';
import { createLogger, type Logger } from '../log.ts';
import { writeFileDurably } from './files.ts';

/**
 * The renewal of the hub's own CA while it runs (the kit's {@link KitTls}): the running hub
 * hands each new leaf to its HTTPS server, so it never serves an expired one.
 */
export interface HubTlsRenewal {
  /** Called with new credentials after a renewal; returns the unsubscribe. */
  onRenew(listener: (m: TlsMaterial) => void): () => void;
  /** Checks names and expiry now; what was issued. */
  check(): Promise<ReadonlyArray<'root' | 'intermediate' | 'leaf'>>;
  /** The credentials in use now. */
  readonly material: TlsMaterial;
  /** Stops the periodic check. */
  stop(): Promise<void>;
}

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
  /**
   * The periodic renewal of the hub's own CA (absent for the operator's certificate or an older
   * hub's files, which the hub did not issue and cannot renew). Whoever loaded the TLS stops it.
   */
  readonly renewal?: HubTlsRenewal;
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
  /** The clock the certificates' expiry is judged by (tests move it on). */
  readonly now?: () => Date;
  /** How often the names and expiry are checked while the hub runs (default one minute). */
  readonly checkEveryMs?: number;
  /** Where renewals are logged (default: nowhere). */
  readonly log?: Logger;
}

/**
 * The hub's certificates. Unless the operator gives their own, the hub is its own small CA
 * exactly as a kit is (the kit's {@link KitTls}): a root made once, a name-constrained
 * intermediate and a leaf for the hub's names and addresses, issued at start and re-issued while
 * the hub runs (checked every minute) when a name is new or expiry nears; `startHub` hands
 * each new leaf to its HTTPS server. Private keys live only in the hub's encrypted store; the
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
  const dir = options.dir;
  const renewal = await KitTls.start({
    store,
    log: options.log ?? createLogger('silent'),
    // The CA's name says whose it is in a browser's certificate list ("Fieldkit CA hub <host>").
    caName: (host) => `hub ${host}`,
    owner: { name: 'hub', newRoot: `give ${HUB_CERT_FILE} to every kit (--hub-cert) and console machine` },
    hostname: () => hostname,
    interfaces: () => options.interfaces ?? networkInterfaces(),
    extraDns: extra.filter((n) => isIP(n) === 0),
    extraIps: extra.filter((n) => isIP(n) !== 0),
    ...(options.now ? { now: options.now } : {}),
    ...(options.checkEveryMs ? { checkEveryMs: options.checkEveryMs } : {}),
  });
  const material = renewal.material;
  if (dir) {
    writeFileDurably(join(dir, HUB_CERT_FILE), material.rootPem, 0o644);
    // A renewed root (20 years on) is what kits and browsers must be given next.
    renewal.onRenew((m) => {
      if (m.rootPem !== material.rootPem) writeFileDurably(join(dir, HUB_CERT_FILE), m.rootPem, 0o644);
    });
  }
  return {
    key: material.key,
    chain: material.cert,
    cert: material.rootPem,
    fingerprint: material.rootFingerprint,
    renewal,
  };
}
