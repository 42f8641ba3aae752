import { openContext } from './engine/open-context.ts';
import type { StoreOptionsInput } from './options.ts';
import { parseStoreOptions } from './options.ts';
import { RecordStore } from './record-store.ts';

/**
 * Opens (or creates) the encrypted store in a data directory. The passphrase is checked against
 * the small key header BEFORE LMDB is opened, so a wrong passphrase changes no file at all. An
 * interrupted key rotation is resumed in the background (`whenIdle` waits for it).
 */
export async function openStore(options: StoreOptionsInput): Promise<RecordStore> {
  const opts = parseStoreOptions(options);
  const store = new RecordStore(await openContext(opts), opts.onBackgroundError);
  if (opts.resumeRotation && store.keyEpochs > 1) store.resumeRotationInBackground();
  return store;
}
