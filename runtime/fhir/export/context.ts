import type { IdentifierProfile } from '../profiles/identifier-profile.ts';
import type { KitNames } from './refs.ts';

/** What every resource mapper needs: the kit's stable names and the identifier profile chosen. */
export interface MapContext {
  readonly names: KitNames;
  readonly profile: IdentifierProfile;
}

/** Resource kinds as the kit names them in `urn:uuid` derivation and its own identifier systems. */
export const KIND = {
  patient: 'patient',
  visit: 'visit',
  observation: 'observation',
  news2: 'news2',
  device: 'device',
  practitioner: 'practitioner',
  practitionerRole: 'practitioner-role',
  organization: 'organization',
  attachment: 'attachment',
  provenance: 'provenance',
  consultation: 'consultation',
  message: 'message',
  conclusion: 'conclusion',
} as const;
