import { createHash } from 'node:crypto';
import type { KitCredentialInput, KitCredentialRecord } from '../../../store/index.ts';
import type { Issued } from './issue.ts';
import { covers, type KitNames } from './kit-names.ts';
import { certificatePem, issuedBy, privateKeyPem } from './pem.ts';

/** Where the kit keeps its CA: the encrypted store (private keys never on disk in the clear). */
export interface CredentialStore {
  kitCredentials(): Promise<KitCredentialRecord[]>;
  saveKitCredential(input: KitCredentialInput): Promise<KitCredentialRecord>;
}

/** What the HTTPS listener and the onboarding page need, derived from the credentials in use. */
export interface TlsMaterial {
  /** The leaf's private key, PEM (memory only). */
  readonly key: string;
  /** The leaf, then the intermediate, PEM: the chain the server sends (the root is on the tablet). */
  readonly cert: string;
  /** The root certificate the tablets install, DER and PEM. */
  readonly rootDer: Uint8Array;
  readonly rootPem: string;
  /** SHA-256 of the root's DER, upper-case hex in colon-separated pairs (as Android shows it). */
  readonly rootFingerprint: string;
  readonly leafNotAfter: Date;
  /** The names and addresses the leaf covers. */
  readonly names: KitNames;
  /** Ids of the credential records in use (root, intermediate, leaf). */
  readonly ids: { readonly root: string; readonly intermediate: string; readonly leaf: string };
}

/** Which certificates a check issued (empty when everything in use was still good). */
export type Issuance = ReadonlyArray<'root' | 'intermediate' | 'leaf'>;

/** How long before expiry a certificate is replaced. */
export const RENEW_BEFORE_DAYS = 30;
const DAY = 86_400_000;

/** Upper-case hex pairs joined by colons. */
export function fingerprint(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)?.join(':') ?? '';
}

function latest(records: readonly KitCredentialRecord[], kind: KitCredentialRecord['kind']) {
  return records.filter((r) => r.kind === kind).at(-1);
}

function namesOf(r: KitCredentialRecord): KitNames {
  return { dns: r.dnsNames, ips: r.ipAddresses };
}

function fresh(r: KitCredentialRecord, now: Date): boolean {
  return Date.parse(r.notAfter) - now.getTime() > RENEW_BEFORE_DAYS * DAY;
}

/**
 * Makes sure the store holds a usable chain for the kit's current names and returns it: creates
 * the CA at first start, re-issues the intermediate when a new address appears or it nears
 * expiry, and the leaf likewise. Older credentials stay in the store (only added, never
 * rewritten); the newest of each kind is the one in use.
 */
export async function ensureKitTls(
  store: CredentialStore,
  options: { readonly hostname: string; readonly names: KitNames; readonly now: Date },
): Promise<{ material: TlsMaterial; issued: Issuance }> {
  const { hostname, names, now } = options;
  const records = await store.kitCredentials();
  const issued: Array<'root' | 'intermediate' | 'leaf'> = [];
  // @peculiar/x509 loads only when something must be issued; checks use node:crypto.
  const issuer = async () => import('./issue.ts');
  const save = async (kind: KitCredentialRecord['kind'], it: Issued, covered: KitNames) => {
    issued.push(kind);
    return store.saveKitCredential({
      kind,
      ...(await (await issuer()).toBytes(it)),
      dnsNames: [...covered.dns],
      ipAddresses: [...covered.ips],
    });
  };

  let rootRec = latest(records, 'root');
  let root: Issued | undefined;
  if (!rootRec || !fresh(rootRec, now)) {
    root = await (await issuer()).issueRoot(hostname, now);
    rootRec = await save('root', root, { dns: [], ips: [] });
  }

  let midRec = latest(records, 'intermediate');
  let mid: Issued | undefined;
  if (
    !midRec ||
    !fresh(midRec, now) ||
    !covers(namesOf(midRec), names) ||
    !issuedBy(midRec.certificateDer, rootRec.certificateDer)
  ) {
    const x = await issuer();
    root ??= await x.fromBytes(rootRec);
    mid = await x.issueIntermediate(root, names, hostname, now);
    midRec = await save('intermediate', mid, names);
  }

  let leafRec = latest(records, 'leaf');
  if (
    !leafRec ||
    !fresh(leafRec, now) ||
    !covers(namesOf(leafRec), names) ||
    !issuedBy(leafRec.certificateDer, midRec.certificateDer)
  ) {
    const x = await issuer();
    mid ??= await x.fromBytes(midRec);
    leafRec = await save('leaf', await x.issueLeaf(mid, names, now), names);
  }

  const rootDer = new Uint8Array(rootRec.certificateDer);
  return {
    issued,
    material: {
      key: privateKeyPem(leafRec.privateKeyPkcs8),
      cert: certificatePem(leafRec.certificateDer) + certificatePem(midRec.certificateDer),
      rootDer,
      rootPem: certificatePem(rootDer),
      rootFingerprint: fingerprint(rootDer),
      leafNotAfter: new Date(leafRec.notAfter),
      names: namesOf(leafRec),
      ids: { root: rootRec.id, intermediate: midRec.id, leaf: leafRec.id },
    },
  };
}
