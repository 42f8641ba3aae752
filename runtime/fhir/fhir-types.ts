/**
 * The FHIR R4 shapes the kit writes and reads, typed as narrowly as the kit uses them (not the
 * whole specification): the exporter builds these, the importer parses into them, and the tests
 * hold every one to the R4 structure definitions with an independent validator.
 */

/** A code from a code system. */
export interface Coding {
  readonly system?: string;
  readonly code?: string;
  readonly display?: string;
}

/** One or more codings plus text. */
export interface CodeableConcept {
  readonly coding?: readonly Coding[];
  readonly text?: string;
}

/** A link to another resource: `urn:uuid:` inside the bundle, or only a display. */
export interface Reference {
  readonly reference?: string;
  /** The target's type, for a reference by identifier only (a specialist the bundle does not hold). */
  readonly type?: string;
  readonly display?: string;
  readonly identifier?: Identifier;
}

/** A business identifier (СНИЛС, полис ОМС, the kit's own record id). */
export interface Identifier {
  readonly use?: 'usual' | 'official' | 'temp' | 'secondary' | 'old';
  readonly type?: CodeableConcept;
  readonly system?: string;
  readonly value?: string;
}

/** A person's name. */
export interface HumanName {
  readonly use?: 'official' | 'usual';
  readonly text?: string;
  readonly family?: string;
  readonly given?: readonly string[];
}

/** A decimal written with the precision the instrument gave (see fhir-json.ts). */
export interface Decimal {
  readonly value: number;
  readonly precision: number;
}

/** A measured amount (UCUM). */
export interface Quantity {
  readonly value?: number | Decimal;
  readonly comparator?: '<' | '<=' | '>=' | '>';
  readonly unit?: string;
  readonly system?: string;
  readonly code?: string;
}

/** A time span. */
export interface Period {
  readonly start?: string;
  readonly end?: string;
}

/** A kit-defined extension (raw instrument bytes, codec, clock offset). */
export interface Extension {
  readonly url: string;
  readonly valueString?: string;
  readonly valueBoolean?: boolean;
  readonly valueBase64Binary?: string;
  readonly valueQuantity?: Quantity;
  readonly valueDateTime?: string;
}

/** Data inline or by reference (photos, voice notes). */
export interface Attachment {
  readonly contentType?: string;
  readonly data?: string;
  readonly size?: number;
  readonly hash?: string;
  readonly title?: string;
  readonly creation?: string;
}

/** A series of samples (the ECG strip). */
export interface SampledData {
  readonly origin: Quantity;
  readonly period: number | Decimal;
  readonly factor?: number;
  readonly dimensions: number;
  readonly data?: string;
}

/** A digital signature (the specialist's conclusion). */
export interface Signature {
  readonly type: readonly Coding[];
  readonly when: string;
  readonly who: Reference;
  readonly targetFormat?: string;
  readonly sigFormat?: string;
  readonly data?: string;
}

/** Free text with its author and time. */
export interface Annotation {
  readonly text: string;
  readonly time?: string;
}

/** Fields every resource the kit writes may carry. */
interface ResourceBase {
  readonly id?: string;
  readonly meta?: { readonly profile?: readonly string[]; readonly source?: string };
}

/** A patient. */
export interface Patient extends ResourceBase {
  readonly resourceType: 'Patient';
  readonly identifier?: readonly Identifier[];
  readonly name?: readonly HumanName[];
  readonly gender?: 'male' | 'female' | 'other' | 'unknown';
  readonly birthDate?: string;
  readonly telecom?: readonly { readonly system: 'phone'; readonly value: string }[];
  readonly address?: readonly { readonly text: string }[];
}

/** A visit. */
export interface Encounter extends ResourceBase {
  readonly resourceType: 'Encounter';
  readonly identifier?: readonly Identifier[];
  readonly status: 'planned' | 'in-progress' | 'finished' | 'cancelled' | 'unknown';
  readonly class: Coding;
  readonly subject?: Reference;
  readonly participant?: readonly {
    readonly type?: readonly CodeableConcept[];
    readonly individual?: Reference;
  }[];
  readonly period?: Period;
  readonly reasonCode?: readonly CodeableConcept[];
  readonly location?: readonly { readonly location: Reference }[];
  readonly serviceProvider?: Reference;
}

/** A member of the brigade. */
export interface Practitioner extends ResourceBase {
  readonly resourceType: 'Practitioner';
  readonly identifier?: readonly Identifier[];
  readonly active?: boolean;
  readonly name?: readonly HumanName[];
}

/** What a brigade member does, and for whom. */
export interface PractitionerRole extends ResourceBase {
  readonly resourceType: 'PractitionerRole';
  readonly identifier?: readonly Identifier[];
  readonly active?: boolean;
  readonly practitioner?: Reference;
  readonly organization?: Reference;
  readonly code?: readonly CodeableConcept[];
}

/** The brigade's organisation. */
export interface Organization extends ResourceBase {
  readonly resourceType: 'Organization';
  readonly identifier?: readonly Identifier[];
  readonly active?: boolean;
  readonly name?: string;
}

/** An instrument. */
export interface Device extends ResourceBase {
  readonly resourceType: 'Device';
  readonly identifier?: readonly Identifier[];
  readonly status?: 'active' | 'inactive' | 'entered-in-error' | 'unknown';
  readonly manufacturer?: string;
  readonly serialNumber?: string;
  readonly modelNumber?: string;
  readonly deviceName?: readonly {
    readonly name: string;
    readonly type: 'user-friendly-name' | 'model-name' | 'manufacturer-name' | 'other';
  }[];
  readonly type?: CodeableConcept;
  readonly version?: readonly { readonly type?: CodeableConcept; readonly value: string }[];
}

/** One value of a panel. */
export interface ObservationComponent {
  readonly code: CodeableConcept;
  readonly valueQuantity?: Quantity;
  readonly valueInteger?: number;
  readonly valueCodeableConcept?: CodeableConcept;
  readonly dataAbsentReason?: CodeableConcept;
  readonly interpretation?: readonly CodeableConcept[];
}

/** A measurement, a score or an ECG strip. */
export interface Observation extends ResourceBase {
  readonly resourceType: 'Observation';
  readonly identifier?: readonly Identifier[];
  readonly status: 'registered' | 'preliminary' | 'final' | 'amended' | 'entered-in-error';
  readonly category?: readonly CodeableConcept[];
  readonly code: CodeableConcept;
  readonly subject?: Reference;
  readonly encounter?: Reference;
  readonly effectiveDateTime?: string;
  readonly effectivePeriod?: Period;
  readonly issued?: string;
  readonly performer?: readonly Reference[];
  readonly valueQuantity?: Quantity;
  readonly valueInteger?: number;
  readonly valueCodeableConcept?: CodeableConcept;
  readonly valueSampledData?: SampledData;
  readonly dataAbsentReason?: CodeableConcept;
  readonly interpretation?: readonly CodeableConcept[];
  readonly note?: readonly Annotation[];
  readonly bodySite?: CodeableConcept;
  readonly device?: Reference;
  readonly derivedFrom?: readonly Reference[];
  readonly component?: readonly ObservationComponent[];
}

/** A photo or a voice note. */
export interface Media extends ResourceBase {
  readonly resourceType: 'Media';
  readonly identifier?: readonly Identifier[];
  readonly status: 'completed' | 'entered-in-error' | 'unknown';
  readonly type?: CodeableConcept;
  readonly subject?: Reference;
  readonly encounter?: Reference;
  readonly createdDateTime?: string;
  readonly operator?: Reference;
  readonly note?: readonly Annotation[];
  readonly content: Attachment;
}

/** A document the brigade attached (a scan, a referral). */
export interface DocumentReference extends ResourceBase {
  readonly resourceType: 'DocumentReference';
  readonly identifier?: readonly Identifier[];
  readonly status: 'current' | 'superseded' | 'entered-in-error';
  readonly type?: CodeableConcept;
  readonly subject?: Reference;
  readonly date?: string;
  readonly description?: string;
  readonly content: readonly { readonly attachment: Attachment }[];
  readonly context?: { readonly encounter?: readonly Reference[] };
}

/** A consultation request to a specialist (question, urgency, specialty asked for). */
export interface ServiceRequest extends ResourceBase {
  readonly resourceType: 'ServiceRequest';
  readonly identifier?: readonly Identifier[];
  readonly status: 'draft' | 'active' | 'on-hold' | 'revoked' | 'completed' | 'entered-in-error' | 'unknown';
  readonly intent: 'proposal' | 'plan' | 'directive' | 'order' | 'original-order';
  readonly category?: readonly CodeableConcept[];
  readonly priority?: 'routine' | 'urgent' | 'asap' | 'stat';
  readonly code?: CodeableConcept;
  readonly subject: Reference;
  readonly encounter?: Reference;
  readonly authoredOn?: string;
  readonly requester?: Reference;
  readonly performerType?: CodeableConcept;
  readonly performer?: readonly Reference[];
  readonly reasonCode?: readonly CodeableConcept[];
  readonly reasonReference?: readonly Reference[];
  readonly supportingInfo?: readonly Reference[];
  readonly note?: readonly Annotation[];
}

/** A specialist's message in a consultation's thread. */
export interface Communication extends ResourceBase {
  readonly resourceType: 'Communication';
  readonly extension?: readonly Extension[];
  readonly identifier?: readonly Identifier[];
  readonly basedOn?: readonly Reference[];
  readonly status: 'preparation' | 'in-progress' | 'completed' | 'stopped' | 'entered-in-error' | 'unknown';
  readonly category?: readonly CodeableConcept[];
  readonly priority?: 'routine' | 'urgent' | 'asap' | 'stat';
  readonly subject?: Reference;
  readonly encounter?: Reference;
  readonly about?: readonly Reference[];
  readonly inResponseTo?: readonly Reference[];
  readonly sent?: string;
  readonly received?: string;
  readonly sender?: Reference;
  readonly recipient?: readonly Reference[];
  readonly topic?: CodeableConcept;
  readonly payload?: readonly { readonly contentString?: string; readonly contentReference?: Reference }[];
}

/** The specialist's conclusion. */
export interface DiagnosticReport extends ResourceBase {
  readonly resourceType: 'DiagnosticReport';
  readonly extension?: readonly Extension[];
  readonly identifier?: readonly Identifier[];
  readonly basedOn?: readonly Reference[];
  readonly status: 'registered' | 'partial' | 'preliminary' | 'final' | 'amended' | 'entered-in-error';
  readonly category?: readonly CodeableConcept[];
  readonly code: CodeableConcept;
  readonly subject?: Reference;
  readonly encounter?: Reference;
  readonly effectiveDateTime?: string;
  readonly issued?: string;
  readonly performer?: readonly Reference[];
  readonly resultsInterpreter?: readonly Reference[];
  readonly result?: readonly Reference[];
  readonly conclusion?: string;
  readonly conclusionCode?: readonly CodeableConcept[];
}

/** Where a resource came from: instrument bytes, or a signature. */
export interface Provenance extends ResourceBase {
  readonly resourceType: 'Provenance';
  readonly target: readonly Reference[];
  readonly occurredDateTime?: string;
  readonly occurredPeriod?: Period;
  readonly recorded: string;
  readonly activity?: CodeableConcept;
  readonly agent: readonly { readonly type?: CodeableConcept; readonly who: Reference }[];
  readonly entity?: readonly {
    readonly role: 'derivation' | 'revision' | 'quotation' | 'source' | 'removal';
    readonly what: Reference;
    readonly extension?: readonly Extension[];
  }[];
  readonly signature?: readonly Signature[];
}

/** Every resource the exporter writes. */
export type FhirResource =
  | Patient
  | Encounter
  | Practitioner
  | PractitionerRole
  | Organization
  | Device
  | Observation
  | Media
  | DocumentReference
  | ServiceRequest
  | Communication
  | DiagnosticReport
  | Provenance;

/** A transaction entry. */
export interface BundleEntry {
  readonly fullUrl: string;
  readonly resource: FhirResource;
  readonly request: { readonly method: 'POST' | 'PUT'; readonly url: string; readonly ifNoneExist?: string };
}
