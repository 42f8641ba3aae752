/**
 * The kit's FHIR extensions: what an instrument sent and how the kit read it, carried on a
 * Provenance entity. URNs, not web addresses: the kit owns no domain to host definitions at.
 * Documented in runtime/fhir/README.md.
 */
export const EXTENSIONS = {
  /** The frame exactly as the instrument sent it (base64). */
  rawFrame: 'urn:fieldkit:fhir:extension:raw-frame',
  /** The codec that decoded the frame (`blood_pressure_measurement`). */
  codec: 'urn:fieldkit:fhir:extension:codec',
  /** The codec's version (a fix that changes decoding bumps it). */
  codecVersion: 'urn:fieldkit:fhir:extension:codec-version',
  /** The GATT characteristic or serial stream the frame came from. */
  characteristic: 'urn:fieldkit:fhir:extension:characteristic',
  /** kit clock − instrument clock, measured when the kit connected (already applied to the time). */
  clockOffset: 'urn:fieldkit:fhir:extension:clock-offset',
  /** The instant the instrument itself stated, uncorrected. */
  deviceTime: 'urn:fieldkit:fhir:extension:device-time',
  /** Whether the kit verified a specialist's signed item against its pinned directory (boolean). */
  signatureVerified: 'urn:fieldkit:fhir:extension:signature-verified',
  /** Why a signed item did not verify (one extension per reason). */
  verificationProblem: 'urn:fieldkit:fhir:extension:verification-problem',
  /** The exact signed bytes (CBOR signed item) the signature covers, after its domain prefix. */
  signedBytes: 'urn:fieldkit:fhir:extension:signed-bytes',
  /** The signer device's Ed25519 public key (base64). */
  signingKey: 'urn:fieldkit:fhir:extension:signing-key',
} as const;
