// The page's inline start script (scripts/build-pwa.js inlines it into index.html): opens the
// tablet's database while the app's script loads. See early-open.ts.
import { EARLY_DB_KEY, openIfExists } from './early-open.ts';
import { DB_NAME } from './schema.ts';

if (typeof indexedDB !== 'undefined')
  (globalThis as Record<string, unknown>)[EARLY_DB_KEY] = openIfExists(indexedDB, DB_NAME);
