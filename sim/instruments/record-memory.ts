/** Which stored records a cuff, thermometer or scale sends when a collector connects. */
export type ResendPolicy = 'new' | 'all';

/**
 * An instrument's measurement memory (BP cuffs, thermometers, scales without RACP): encoded
 * records, oldest first, up to a capacity. On connection it offers either the records no collector
 * has received yet ('new', like cuffs that track their transfers) or everything ('all', like cheap
 * units that resend their whole memory every time, which the kit must deduplicate).
 */
export class RecordMemory {
  readonly #records: Array<{ bytes: Uint8Array; sent: boolean }> = [];

  constructor(
    readonly capacity: number,
    readonly policy: ResendPolicy,
  ) {}

  /** Stores a record (the oldest falls out when full). */
  add(bytes: Uint8Array, sent = false): void {
    this.#records.push({ bytes, sent });
    while (this.#records.length > this.capacity) this.#records.shift();
  }

  /** How many records are kept. */
  get size(): number {
    return this.#records.length;
  }

  /** What to send on connection, oldest first (see {@link ResendPolicy}). */
  toSend(): Uint8Array[] {
    return this.#records.filter((r) => this.policy === 'all' || !r.sent).map((r) => r.bytes);
  }

  /** Marks a record as delivered (its indication was sent to a subscribed collector). */
  markSent(bytes: Uint8Array): void {
    const r = this.#records.find((x) => x.bytes === bytes);
    if (r) r.sent = true;
  }
}
