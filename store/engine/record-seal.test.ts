import { describe, expect, it } from 'vitest';
import { contextOf } from '../record-store.ts';
import { tempStores } from '../test-fixtures.ts';
import { keyOf } from './ids.ts';
import { openPlain, sealPlain, sealPlainAt, sealedSize } from './record-seal.ts';

const stores = tempStores({ prefix: 'fieldkit-seal-' });

describe('sealing by record counter', () => {
  it('makes an envelope that opens under keyOf(seq), as sealPlain does, and under no other key or table', async () => {
    const { keyring } = contextOf(await stores.open());
    const plain = Buffer.from('a reading, about to be sealed before its transaction');
    for (const seq of [1, 0xffff_ffff, 0x1_0000_0002]) {
      const into = Buffer.alloc(sealedSize(plain.byteLength));
      const sealed = sealPlainAt(keyring, 'observations', seq, 2, plain, into);
      expect(sealed).toBe(into);
      const opened = openPlain(keyring, 'observations', keyOf(seq), sealed, 'o-test');
      expect(Buffer.from(opened.plain).equals(plain)).toBe(true);
      expect(opened.version).toBe(2);
      // The same AAD as the key-based form: one seals, the other opens.
      const byKey = sealPlain(keyring, 'observations', keyOf(seq), 2, plain);
      expect(openPlain(keyring, 'observations', keyOf(seq), byKey, 'o-test').version).toBe(2);
      expect(() => openPlain(keyring, 'observations', keyOf(seq + 1), sealed, 'o-test')).toThrow(/altered/);
      expect(() => openPlain(keyring, 'patients', keyOf(seq), sealed, 'o-test')).toThrow(/altered/);
    }
  });
});
