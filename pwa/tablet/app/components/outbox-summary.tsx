import { useCell } from '../state/cell.ts';
import { useApp, useWords } from '../state/context.ts';

/**
 * Always visible: how many items are still on this tablet and how many requests wait on the kit
 * for the link; with nothing waiting anywhere, whether the kit has a link to the specialists at
 * all (everything being on the kit is not everything being sent). Tapping opens the outbox with
 * the state of every item.
 */
export function OutboxSummary() {
  const app = useApp();
  const w = useWords();
  const queue = useCell(app.queue);
  const sending = useCell(app.sending);
  const kit = useCell(app.kitOutbox);
  const onTablet = queue.filter((i) => i.state === 'pending').length;
  const refused = queue.filter((i) => i.state === 'refused').length;
  // Still on the kit: not yet on the hub's disk (or beyond); those further on are not waiting.
  const onKit =
    kit?.items.filter((i) => ['stored', 'queued', 'sending'].includes(i.delivery.state)).length ?? 0;
  // A kit without a link to the specialists: "all on the kit" must not read as "all sent".
  const noLink = kit !== null && !kit.linkPresent;
  return (
    <button
      type="button"
      class={`outbox-summary${refused > 0 ? ' has-refused' : ''}`}
      data-testid="outbox-summary"
      data-on-tablet={onTablet}
      data-on-kit={onKit}
      data-link={kit === null ? 'unknown' : kit.linkPresent ? 'present' : 'absent'}
      onClick={() => app.navigate({ name: 'outbox' })}
    >
      <span>
        ⇪{' '}
        {onTablet > 0
          ? w.n('tabletItems', onTablet)
          : w.t(noLink && onKit === 0 ? 'onKitNoLink' : 'onKitAll')}
        {sending?.progress != null && ` ${Math.round(sending.progress * 100)} %`}
      </span>
      {refused > 0 && (
        <span>
          {' '}
          · ⚠ {w.t('refused')}: {refused}
        </span>
      )}
      {onKit > 0 && (
        <span>
          {' · '}
          {w.n(kit?.linkPresent ? 'kitQueued' : 'kitWaiting', onKit)}
        </span>
      )}
    </button>
  );
}
