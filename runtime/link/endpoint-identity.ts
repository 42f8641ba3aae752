import type { EnvelopeOpener } from '../../crypto/envelope.ts';
import type { Signer } from '../../crypto/signed-item.ts';
import type { RecordStore } from '../../store/index.ts';

/** A device's keys as the link uses them: it signs, and it opens envelopes wrapped for it. */
export interface EndpointIdentity {
  readonly signer: Signer;
  /** Its own device key, and a team key when the device holds one. */
  readonly openers: readonly EnvelopeOpener[];
}

/**
 * The identity kept in a record store's key header (the kit's, or a simulated specialist's):
 * signing and unwrapping go through the store's keyring, so the secrets never leave it.
 */
export function storeIdentity(
  store: Pick<RecordStore, 'publicIdentity' | 'signAsKit' | 'openSealedToKit'>,
): EndpointIdentity {
  const pub = store.publicIdentity;
  return {
    signer: { publicKey: pub.signing, sign: (m) => store.signAsKit(m) },
    openers: [{ sealingKey: pub.sealing, unwrap: (sealed) => store.openSealedToKit(sealed) }],
  };
}
