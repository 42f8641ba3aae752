import { useEffect } from 'preact/hooks';
import type { WireDirectPath, WireLinkStatus } from '../../../../runtime/link/wire-link.ts';
import type { WireOutboxItem } from '../../../../runtime/http/api/wire-types.ts';
import { deliveryText } from '../delivery-text.ts';
import type { TextKey } from '../../../shared/i18n/i18n.ts';
import type { QueueItem } from '../db/schema.ts';
import { timeOfDay } from '../format.ts';
import { useCell } from '../state/cell.ts';
import { useApp, useWords } from '../state/context.ts';

const HUB_WORDS: Readonly<Record<Exclude<WireLinkStatus['hub'], 'off'>, TextKey>> = {
  up: 'hubUp',
  down: 'hubDown',
  connecting: 'hubConnecting',
  stopped: 'hubDown',
  refused: 'hubRefused',
};
const DIRECT_WORDS: Readonly<Record<WireDirectPath['state'], TextKey>> = {
  up: 'directUp',
  connecting: 'directConnecting',
  down: 'directDown',
  stopped: 'directDown',
};
const KINDS: Record<QueueItem['kind'], TextKey> = {
  entry: 'journal',
  attachment: 'attachments',
  consultation: 'consult',
  close: 'closeVisit',
};

function what(item: QueueItem, w: ReturnType<typeof useWords>): string {
  const b = item.body as { kind?: string; text?: string; question?: string };
  const kind =
    item.kind === 'attachment'
      ? b.kind === 'photo'
        ? w.t('photo')
        : w.t('voiceNote')
      : w.t(KINDS[item.kind]);
  const text = b.text ?? b.question ?? '';
  return text ? `${kind}: ${text.slice(0, 60)}` : kind;
}

/** What a kit item is, in words: the request (urgent or routine) or a photo or voice note it carries. */
function kitWhat(w: ReturnType<typeof useWords>, item: WireOutboxItem): string {
  if (item.kind === 'photo') return w.t('photo');
  if (item.kind === 'voice') return w.t('voiceNote');
  return `${item.priority === 'urgent' ? `⚑ ${w.t('urgent')}` : w.t('routine')} · ${w.t('consult')}`;
}

function KitRow({ item }: { item: WireOutboxItem }) {
  const w = useWords();
  const d = item.delivery;
  return (
    <li
      class={`outbox-row kit state-${d.state}`}
      data-testid="kit-outbox-item"
      data-state={d.state}
      data-kind={item.kind}
      data-priority={item.priority}
      data-consultation-id={item.consultationId ?? ''}
    >
      <span class="entry-time">{timeOfDay(w, item.createdAt)}</span>
      <span>
        {kitWhat(w, item)}
        {d.to && <span class="sub"> · {w.t('toWhom', { name: d.to })}</span>}
      </span>
      <span class="place">{deliveryText(w, d)}</span>
    </li>
  );
}

/** Every item on its way, each with the truth of where it is: on the tablet, on the kit, beyond. */
export function OutboxScreen() {
  const app = useApp();
  const w = useWords();
  const queue = useCell(app.queue);
  const sending = useCell(app.sending);
  const kit = useCell(app.kitOutbox);
  const persisted = useCell(app.persisted);
  // Read once on opening; the kit's live `link-status` events keep it current while open.
  const link = useCell(app.linkStatus);
  const hub = link?.hub ?? null;
  useEffect(() => {
    void app.refreshOutbox();
    const asked = app.linkStatus.value;
    app.instrumentsApi
      .get<WireLinkStatus>('/api/link/status')
      // A live event that came in meanwhile is newer than this answer: it stays.
      .then((status) => app.linkStatus.value === asked && app.linkStatus.set(status))
      .catch(() => undefined);
  }, [app]);
  const onTablet = queue.filter((i) => i.state !== 'sent');
  return (
    <section class="screen outbox" data-testid="outbox-screen">
      <h1>{w.t('outbox')}</h1>
      {persisted !== null && (
        <p class={persisted ? 'hint' : 'notice'} data-testid="persisted" data-persisted={String(persisted)}>
          {w.t(persisted ? 'storagePersistent' : 'storageNotPersistent')}
        </p>
      )}
      <h2>{onTablet.length > 0 ? w.n('tabletItems', onTablet.length) : w.t('allSent')}</h2>
      <ul class="outbox-list" data-testid="tablet-outbox">
        {onTablet.map((i) => (
          <li key={i.clientId} class={`outbox-row ${i.state}`} data-state={i.state}>
            <span class="entry-time">{timeOfDay(w, i.createdAt)}</span>
            <span>{what(i, w)}</span>
            <span class="place">
              {i.state === 'refused'
                ? `⚠ ${w.t('refused')}: ${i.error?.message ?? ''}`
                : sending?.clientId === i.clientId
                  ? `${w.t('sendingToKit')}${sending.progress !== null ? ` ${Math.round(sending.progress * 100)} %` : ''}`
                  : w.t('onTablet')}
            </span>
          </li>
        ))}
      </ul>
      <h2>{w.n(kit?.linkPresent ? 'linkItems' : 'kitItems', kit?.items.length ?? 0)}</h2>
      {kit && !kit.linkPresent && <p class="hint">{w.t('noLinkYet')}</p>}
      {kit?.linkPresent && hub && hub !== 'off' && (
        <p class={hub === 'up' ? 'hint' : 'notice'} data-testid="hub-state" data-hub={hub}>
          {w.t(HUB_WORDS[hub])}
        </p>
      )}
      {kit?.linkPresent &&
        link?.direct.map((d) => (
          <p
            key={d.peer}
            class={d.state === 'up' ? 'hint' : 'notice'}
            data-testid="direct-state"
            data-peer={d.peer}
            data-direct={d.state}
          >
            {w.t(DIRECT_WORDS[d.state], { name: d.name ?? d.peer })}
          </p>
        ))}
      <ul class="outbox-list" data-testid="kit-outbox">
        {kit?.items.map((i) => (
          <KitRow key={i.id} item={i} />
        ))}
      </ul>
    </section>
  );
}
