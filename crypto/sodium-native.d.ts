/**
 * The slice of sodium-native's API the kit uses. The package ships no types; declaring only what
 * we call keeps `any` out of the crypto boundary.
 */
declare module 'sodium-native' {
  type Bytes = Uint8Array;
  export function randombytes_buf(buf: Bytes): void;
  export function sodium_memzero(buf: Bytes): void;
  export function crypto_aead_xchacha20poly1305_ietf_encrypt(
    c: Bytes,
    m: Bytes,
    ad: Bytes | null,
    nsec: null,
    npub: Bytes,
    k: Bytes,
  ): number;
  export function crypto_aead_xchacha20poly1305_ietf_decrypt(
    m: Bytes,
    nsec: null,
    c: Bytes,
    ad: Bytes | null,
    npub: Bytes,
    k: Bytes,
  ): number;
  export function crypto_generichash(out: Bytes, input: Bytes, key?: Bytes): void;
  export function crypto_pwhash_async(
    out: Bytes,
    passwd: Bytes,
    salt: Bytes,
    opslimit: number,
    memlimit: number,
    alg: number,
  ): Promise<void>;
}
