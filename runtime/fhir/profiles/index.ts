import { fallbackSystem, type IdentifierProfile } from './identifier-profile.ts';

const FALLBACK_PREFIX = fallbackSystem('');
import { N3 } from './n3.ts';
import { RU_CORE } from './ru-core.ts';

/** Every identifier profile, the default first. */
export const PROFILES: readonly IdentifierProfile[] = [RU_CORE, N3];

/** The profile named by `--profile`, or undefined. */
export function profileByName(name: string): IdentifierProfile | undefined {
  return PROFILES.find((p) => p.name === name);
}

/**
 * The stored document kind an identifier system names, under any profile (a clinic may send
 * either), or undefined for a system no profile knows.
 */
export function kindOfSystem(system: string): string | undefined {
  for (const p of PROFILES) for (const d of p.documents) if (d.system === system) return d.kind;
  if (system.startsWith(FALLBACK_PREFIX)) {
    try {
      return decodeURIComponent(system.slice(FALLBACK_PREFIX.length)) || undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export { RU_CORE } from './ru-core.ts';
export { N3 } from './n3.ts';
export type { IdentifierProfile, StoredDocument } from './identifier-profile.ts';
export { documentIdentifier, canonicalNumber, digitsOnly, fallbackSystem } from './identifier-profile.ts';
