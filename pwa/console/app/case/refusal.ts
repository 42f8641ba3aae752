import type { RejectCode } from '../../../../runtime/link/reject.ts';
import { t } from '../i18n.ts';

/**
 * What the case says when the hub refused an answer for good, in the console's language: who
 * holds the consultation for `taken`, plain words for `unbound_reply` (a reply naming no
 * consultation), and otherwise the code and the hub's detail, so nothing is hidden.
 */
export function replyRefusalText(
  code: RejectCode,
  detail: string,
  nameOf: (identity: string) => string,
): string {
  if (code === 'taken') {
    const holder = /held by (\S+)/.exec(detail)?.[1];
    if (holder) return t('replyRefused', { name: nameOf(holder) });
  }
  if (code === 'unbound_reply') return t('replyUnbound');
  return t('replyRefusedWhy', { why: `${code}: ${detail}` });
}
