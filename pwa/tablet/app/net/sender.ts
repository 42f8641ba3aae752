import type { WireEntry, WireVisit } from '../../../../runtime/http/api/wire-types.ts';
import type { QueueItem } from '../db/schema.ts';
import type { TabletDb } from '../db/tablet-db.ts';
import { KitRefusal, KitUnreachable, type KitApi } from './api.ts';

/** What sending an item produced on the kit. */
export type SendResult =
  | { readonly kind: 'entry'; readonly entry: WireEntry }
  | { readonly kind: 'visit'; readonly visit: WireVisit };

/** Progress of the item being sent (0..1 for uploads; null for small requests). */
export interface Sending {
  readonly clientId: string;
  readonly progress: number | null;
}

/** What the sender reports to the app state. */
export interface SenderEvents {
  /** The queue changed (an item was sent, refused, or is being sent). */
  onQueue(items: readonly QueueItem[], sending: Sending | null): void;
  /** The kit stored an item: here is what it answered. */
  onSent(item: QueueItem, result: SendResult): void;
  /** The kit could not be reached (the sender waits to be kicked or retries later). */
  onUnreachable(): void;
}

const MAX_RETRY_MS = 30_000;

async function sendOne(api: KitApi, item: QueueItem, progress: (p: number) => void): Promise<SendResult> {
  const visit = encodeURIComponent(item.visitId);
  switch (item.kind) {
    case 'entry':
      return {
        kind: 'entry',
        entry: await api.send<WireEntry>('POST', `/api/visits/${visit}/entries`, item.body),
      };
    case 'consultation':
      return {
        kind: 'entry',
        entry: await api.send<WireEntry>('POST', `/api/visits/${visit}/consultations`, item.body),
      };
    case 'close':
      return { kind: 'visit', visit: await api.send<WireVisit>('POST', `/api/visits/${visit}/close`) };
    case 'attachment': {
      const b = item.body as { kind: string; enteredAt: string };
      const q = new URLSearchParams({ kind: b.kind, clientId: item.clientId, enteredAt: b.enteredAt });
      const entry = await api.upload<WireEntry>(
        `/api/visits/${visit}/attachments?${q.toString()}`,
        item.blob!,
        item.mediaType ?? 'application/octet-stream',
        progress,
      );
      return { kind: 'entry', entry };
    }
  }
}

/**
 * Sends the tablet's queue to the kit in the order it was made, one item at a time, each once:
 * the kit keys every item by its client-made id, so an item resent after a lost answer is stored
 * once. An unreachable kit stops the round (retried with backoff, or at once when kicked); a
 * refusal of the content marks that item refused, shown with the kit's reason, and the rest go
 * on; a busy or failing kit is retried later. Nothing leaves the queue before the kit answered.
 */
export function createSender(db: TabletDb, api: KitApi, events: SenderEvents) {
  let running: Promise<void> | null = null;
  let again = false;
  let retryMs = 1000;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void kick(), retryMs);
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
  };

  async function round(): Promise<void> {
    for (;;) {
      const items = await db.queue();
      const next = items.find((i) => i.state === 'pending');
      if (!next) {
        events.onQueue(items, null);
        return;
      }
      events.onQueue(items, { clientId: next.clientId, progress: null });
      try {
        const result = await sendOne(api, next, (p) =>
          events.onQueue(items, { clientId: next.clientId, progress: p }),
        );
        const sent: QueueItem = {
          ...next,
          state: 'sent',
          attempts: next.attempts + 1,
          sentAt: new Date().toISOString(),
        };
        await db.updateItem(sent);
        retryMs = 1000;
        events.onSent(sent, result);
      } catch (error) {
        if (error instanceof KitRefusal && !error.retryable) {
          await db.updateItem({
            ...next,
            state: 'refused',
            attempts: next.attempts + 1,
            error: { code: error.code, message: error.message },
          });
          continue;
        }
        await db.updateItem({ ...next, attempts: next.attempts + 1 });
        if (error instanceof KitUnreachable) events.onUnreachable();
        events.onQueue(await db.queue(), null);
        schedule();
        return;
      }
    }
  }

  /** Starts a round now (new item, kit back); a round in progress runs once more after it ends. */
  function kick(): Promise<void> {
    clearTimeout(timer);
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await round();
      } while (again);
    })().finally(() => {
      running = null;
    });
    return running;
  }

  return { kick, stop: () => clearTimeout(timer) };
}
