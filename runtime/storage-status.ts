/**
 * What the kit knows about where it stores readings: whether the store accepts writes, how many
 * observations it could not store, and the disk's free space against the low-space warning.
 * Shown to the tablets (live `storage` event, the `hello`, `/api/health`), so a brigade learns
 * before the disk is full, and learns how many readings to take again if it filled anyway.
 */
export interface StorageStatus {
  /** False from a failed write until the next write that succeeds. */
  readonly writable: boolean;
  /** Observations not stored since the kit started. */
  readonly notStoredTotal: number;
  /** The last write failure's message, while writes fail; null once they succeed again. */
  readonly lastError: string | null;
  /** Free bytes on the data directory's filesystem at the last check (null before the first). */
  readonly freeBytes: number | null;
  readonly totalBytes: number | null;
  /** True while free space is below {@link StorageStatus.lowSpaceThresholdBytes}. */
  readonly lowSpace: boolean;
  readonly lowSpaceThresholdBytes: number;
  /** When this status last changed (ISO 8601). */
  readonly at: string;
}
