import { openStore } from '../../store/index.ts';
import type { RecordStore } from '../../store/index.ts';
import { TEST_KDF, tempDir } from '../../store/testing.ts';
import { runMailboxTests } from '../../test/mailbox-acceptance.ts';
import { LmdbMailbox } from './lmdb-mailbox.ts';

runMailboxTests('LMDB (record store)', async () => {
  const t = tempDir('fieldkit-mailbox-');
  let store: RecordStore = await openStore({ path: t.dir, passphrase: 'hub', kdf: TEST_KDF, actor: 'hub' });
  const fixture = {
    mailbox: new LmdbMailbox(store),
    async reopen() {
      await store.close();
      store = await openStore({ path: t.dir, passphrase: 'hub', actor: 'hub' });
      fixture.mailbox = new LmdbMailbox(store);
      return fixture.mailbox;
    },
    async teardown() {
      await store.close();
      t.cleanup();
    },
  };
  return fixture;
});
