import { readdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { scorePort, type FingerprintMatch, type PortFacts } from './fingerprints.ts';

/** One entry of serialport's `list()`, the fields the kit reads. */
export interface ListedPort {
  readonly path: string;
  readonly manufacturer?: string | undefined;
  readonly serialNumber?: string | undefined;
  readonly vendorId?: string | undefined;
  readonly productId?: string | undefined;
}

/** A port the transport may probe. */
export interface PortCandidate {
  /** What the kit opens and names the instrument by: the by-id link when there is one (stable across replugs). */
  readonly id: string;
  /** Where `id` points now (/dev/ttyUSB0, /dev/pts/3); changes when a cable is replugged. */
  readonly realPath: string;
  readonly facts: PortFacts;
  readonly match: FingerprintMatch | null;
  /** Named by the user (`--serial PATH`): always probed, fingerprint or not. */
  readonly explicit: boolean;
}

/** Where to look. */
export interface CandidateSources {
  readonly explicit: readonly string[];
  readonly auto: boolean;
  readonly byIdDir: string;
  /** serialport's `SerialPort.list()`, injected so this file never loads the native module. */
  readonly list: () => Promise<readonly ListedPort[]>;
}

async function resolved(path: string): Promise<string | null> {
  try {
    return await realpath(path);
  } catch {
    return null;
  }
}

/**
 * Lists ports worth probing: every explicit path that exists, and with `auto` every by-id link
 * and `list()` entry whose USB fingerprint matches a CMS50 cable. A by-id link and the list()
 * entry it points to are one port (facts merged, the link's name used as the id).
 */
export async function listCandidates(src: CandidateSources): Promise<PortCandidate[]> {
  const out = new Map<string, PortCandidate>();
  const listed = src.auto ? await src.list().catch(() => [] as ListedPort[]) : [];
  const byReal = new Map(listed.map((p) => [p.path, p]));
  const facts = (path: string, real: string, byIdName?: string): PortFacts => {
    const l = byReal.get(real) ?? byReal.get(path);
    return {
      path,
      ...(byIdName !== undefined ? { byIdName } : {}),
      ...(l?.vendorId ? { vendorId: l.vendorId.toLowerCase() } : {}),
      ...(l?.productId ? { productId: l.productId.toLowerCase() } : {}),
      ...(l?.manufacturer ? { manufacturer: l.manufacturer } : {}),
      ...(l?.serialNumber ? { serialNumber: l.serialNumber } : {}),
    };
  };
  for (const path of src.explicit) {
    const real = await resolved(path);
    if (real === null) continue;
    const f = facts(path, real, path.split('/').pop());
    out.set(real, { id: path, realPath: real, facts: f, match: scorePort(f), explicit: true });
  }
  if (src.auto) {
    const names = await readdir(src.byIdDir).catch(() => [] as string[]);
    for (const name of names.sort()) {
      const path = join(src.byIdDir, name);
      const real = await resolved(path);
      if (real === null || out.has(real)) continue;
      const f = facts(path, real, name);
      const match = scorePort(f);
      if (match) out.set(real, { id: path, realPath: real, facts: f, match, explicit: false });
    }
    for (const l of listed) {
      if (out.has(l.path)) continue;
      const f = facts(l.path, l.path);
      const match = scorePort(f);
      if (match) out.set(l.path, { id: l.path, realPath: l.path, facts: f, match, explicit: false });
    }
  }
  return [...out.values()].sort((a, b) => (b.match?.score ?? 0) - (a.match?.score ?? 0));
}
