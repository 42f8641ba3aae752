import { z } from 'zod';
import { DEFAULT_KDF, KdfParamsSchema } from '../crypto/kdf.ts';
import { StoreError } from './errors.ts';

/**
 * Options of {@link openStore}. `kdf` is only honoured when a store is created (existing stores
 * keep the parameters in their key header); tests pass light Argon2id parameters here.
 */
export const StoreOptions = z.object({
  path: z.string().min(1),
  passphrase: z.string().min(1),
  create: z.boolean().default(true),
  actor: z.string().min(1).max(128).default('kit'),
  kdf: KdfParamsSchema.default(DEFAULT_KDF),
  /** Which libsodium build seals records: the native addon by default, WebAssembly as fallback. */
  crypto: z.enum(['auto', 'sodium-native', 'libsodium-wasm']).default('auto'),
  /** Resume an interrupted key rotation in the background on open. */
  resumeRotation: z.boolean().default(true),
  /**
   * Told when background work (a resumed key rotation) fails, with the error and its cause; the
   * kit logs it. Without it the failure is written to stderr: never swallowed.
   */
  onBackgroundError: z
    .custom<(error: Error, work: string) => void>((v) => typeof v === 'function', 'expected a function')
    .optional(),
});
/** What callers pass (defaults optional). */
export type StoreOptionsInput = z.input<typeof StoreOptions>;
/** Options after defaults. */
export type ResolvedStoreOptions = z.output<typeof StoreOptions>;

/** Validates options; the passphrase never appears in the error. */
export function parseStoreOptions(input: unknown): ResolvedStoreOptions {
  const parsed = StoreOptions.safeParse(input);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
    throw new StoreError('invalid_options', `Invalid store options: ${fields}.`);
  }
  return parsed.data;
}
