import { vi } from 'vitest';
import { WriteTx } from '../../store/engine/write-tx.ts';

type AuditFn = (this: WriteTx, ...args: Parameters<WriteTx['audit']>) => void;

/**
 * Makes every `restore` audit note fail inside its write transaction, as a full disk would, while
 * all other audit notes are written as usual (in this test process only). Returns the undo.
 */
export function failRestoreAudit(): () => void {
  const original = Object.getOwnPropertyDescriptor(WriteTx.prototype, 'audit')?.value as AuditFn;
  const spy = vi.spyOn(WriteTx.prototype, 'audit').mockImplementation(function (this: WriteTx, ...args) {
    if (args[1] === 'restore') throw new Error('no space left on device (injected)');
    original.apply(this, args);
  });
  return () => spy.mockRestore();
}
