import { openStore } from '../store/index.ts';
import { TEST_KDF } from '../store/testing.ts';
import { seedVisits } from '../bench/export/seed.ts';
const [dir, n] = process.argv.slice(2);
const store = await openStore({ path: dir!, passphrase: 'bench', kdf: TEST_KDF });
await seedVisits(store, Number(n));
await store.close();
