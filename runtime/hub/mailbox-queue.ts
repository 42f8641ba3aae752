import type { OutgoingObject, OutgoingQueue } from '../link/transfer.ts';
import type { RejectCode } from '../link/reject.ts';
import type { Mailbox } from './mailbox.ts';

/** What the hub reports about forwarding (for logs and counters). */
export interface ForwardEvents {
  forwarded?(device: string, id: string): void;
  refused?(device: string, id: string, code: RejectCode, detail: string): void;
}

/**
 * The items waiting in the mailbox for one connected device, as a session's outgoing queue: the
 * hub's sender forwards them by priority, resumable like any transfer, and an item leaves the
 * device's queue only when the device says STORED (or refuses it for good).
 */
export class MailboxQueue implements OutgoingQueue {
  constructor(
    readonly mailbox: Mailbox,
    readonly device: string,
    readonly events: ForwardEvents = {},
  ) {}

  async list(limit: number): Promise<OutgoingObject[]> {
    return (await this.mailbox.pending(this.device, limit)).map((e) => ({
      id: e.id,
      size: e.size,
      priority: e.priority,
      order: e.order,
      hashes: () => this.mailbox.hashes(e.id),
      read: (first, count) => this.mailbox.read(e.id, first, count),
    }));
  }

  onChange(listener: () => void): () => void {
    return this.mailbox.onDeposit((devices) => {
      if (devices.includes(this.device)) listener();
    });
  }

  progress(): void {
    // Forwarding progress is the device's business; the kit hears "delivered" from its receipt.
  }

  async stored(id: string): Promise<void> {
    await this.mailbox.delivered(this.device, id);
    this.events.forwarded?.(this.device, id);
  }

  async rejected(id: string, code: RejectCode, detail: string): Promise<void> {
    // The device will never take it (not addressed to it, a replay it already has...): stop offering it.
    await this.mailbox.delivered(this.device, id);
    this.events.refused?.(this.device, id, code, detail);
  }
}
