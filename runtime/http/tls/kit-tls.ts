import { hostname as osHostname, networkInterfaces } from 'node:os';
import type { Logger } from '../../log.ts';
import {
  ensureKitTls,
  RENEW_BEFORE_DAYS,
  type CredentialStore,
  type Issuance,
  type TlsMaterial,
} from './kit-ca.ts';
import { covers, kitNames, type KitNames } from './kit-names.ts';

/** Options of {@link KitTls}; the defaults read the real host. */
export interface KitTlsOptions {
  readonly store: CredentialStore;
  readonly log: Logger;
  /** Names to add to the kit's own (tests map a name to 127.0.0.1 in the browser). */
  readonly extraDns?: readonly string[];
  /** Addresses to add to the interfaces' (a hub's public or NAT address). */
  readonly extraIps?: readonly string[];
  /** The name the CA certificates carry, from the host name (default: the host name; the hub's "hub <host>"). */
  readonly caName?: (hostname: string) => string;
  /** Whose certificates the log lines speak of, and who must install a new root (default: the kit's, the tablets). */
  readonly owner?: { readonly name: string; readonly newRoot: string };
  /** How often interfaces and expiry are checked (default one minute). */
  readonly checkEveryMs?: number;
  readonly hostname?: () => string;
  readonly interfaces?: () => ReturnType<typeof networkInterfaces>;
  readonly now?: () => Date;
}

/**
 * The kit's TLS credentials while it runs: checked at start and then every minute, so a new
 * Wi-Fi address or an approaching expiry gets a new leaf, handed to the HTTPS server without a
 * restart (tablets already connected keep their sessions). The hub runs the same piece for its
 * own CA (see runtime/hub/tls.ts), so a hub up for months never serves an expired leaf.
 */
export class KitTls {
  #material: TlsMaterial;
  readonly #options: KitTlsOptions;
  readonly #listeners = new Set<(m: TlsMaterial) => void>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<Issuance> | undefined;

  private constructor(material: TlsMaterial, options: KitTlsOptions) {
    this.#material = material;
    this.#options = options;
  }

  /** Loads (or creates, at first start) the chain and starts the periodic check. */
  static async start(options: KitTlsOptions): Promise<KitTls> {
    const { material, issued } = await ensureKitTls(options.store, KitTls.#inputs(options));
    KitTls.#logIssued(options, issued, material);
    const tls = new KitTls(material, options);
    tls.#timer = setInterval(() => void tls.check().catch(() => undefined), options.checkEveryMs ?? 60_000);
    tls.#timer.unref();
    return tls;
  }

  static #inputs(o: KitTlsOptions): { hostname: string; names: KitNames; now: Date } {
    const hostname = (o.hostname ?? osHostname)();
    const names = kitNames(hostname, (o.interfaces ?? networkInterfaces)(), o.extraDns);
    return {
      hostname: o.caName ? o.caName(hostname) : hostname,
      names: o.extraIps?.length
        ? { dns: names.dns, ips: [...new Set([...names.ips, ...o.extraIps])] }
        : names,
      now: (o.now ?? (() => new Date()))(),
    };
  }

  static #logIssued(o: KitTlsOptions, issued: Issuance, m: TlsMaterial): void {
    const owner = o.owner ?? { name: 'kit', newRoot: 'every tablet must install it (onboarding page)' };
    if (issued.includes('root'))
      o.log.warn({ fingerprint: m.rootFingerprint }, `new ${owner.name} CA created: ${owner.newRoot}`);
    if (issued.length > 0)
      o.log.info(
        { issued, leafNotAfter: m.leafNotAfter.toISOString(), ips: m.names.ips },
        `${owner.name} certificates issued`,
      );
  }

  /** The credentials in use. */
  get material(): TlsMaterial {
    return this.#material;
  }

  /** Called with new credentials after a renewal. */
  onRenew(listener: (m: TlsMaterial) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Checks names and expiry now; returns what was issued (one check at a time). */
  async check(): Promise<Issuance> {
    if (this.#running) return this.#running;
    const run = this.#check();
    this.#running = run;
    try {
      return await run;
    } finally {
      if (this.#running === run) this.#running = undefined;
    }
  }

  async #check(): Promise<Issuance> {
    try {
      const inputs = KitTls.#inputs(this.#options);
      // The usual minute: same addresses, leaf far from expiry; the store is not even read.
      const m = this.#material;
      if (
        covers(m.names, inputs.names) &&
        m.leafNotAfter.getTime() - inputs.now.getTime() > RENEW_BEFORE_DAYS * 86_400_000
      )
        return [];
      const { material, issued } = await ensureKitTls(this.#options.store, inputs);
      if (issued.length > 0) {
        this.#material = material;
        KitTls.#logIssued(this.#options, issued, material);
        for (const l of [...this.#listeners]) l(material);
      }
      return issued;
    } catch (err) {
      this.#options.log.error(
        { err: (err as Error).message },
        `${this.#options.owner?.name ?? 'kit'} certificate check failed`,
      );
      throw err;
    }
  }

  /** Stops the periodic check (waits for one under way). */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running?.catch(() => undefined);
  }
}
