/** What the kit knows about one instrument right now: shown on the tablet, counted in tests. */
export interface InstrumentStatus {
  /** The transport address (BLE address, sim id): how the tablet names it in API calls. */
  readonly id: string;
  readonly name: string;
  readonly profile: string;
  readonly transport: string;
  readonly state: 'connecting' | 'connected' | 'disconnected';
  readonly readings: number;
  /** Frames the codec refused (typed errors), surfaced rather than only logged. */
  readonly dropped: number;
  /** Links re-established after a loss, since the kit started. */
  readonly reconnects: number;
  /** Readings the instrument sent again and the kit did not store twice. */
  readonly duplicates: number;
  readonly lastReadingAt: string | null;
  readonly lastError: string | null;
  /** Device Information, once read. */
  readonly model: string | null;
  readonly serial: string | null;
  readonly firmware: string | null;
  readonly bonded: boolean;
  /** Battery level, percent, as last read or notified. */
  readonly battery: number | null;
  /** kit_now - device_now at the last clock check (before any correction), ms. */
  readonly clockOffsetMs: number | null;
  /** Whether the kit set the instrument's clock at the last connection. */
  readonly clockSet: boolean;
  /** Highest stored-record sequence number already in the store. */
  readonly lastSequence: number | null;
  /** A stored-record download in progress: records received and the count the meter announced. */
  readonly download: { readonly received: number; readonly announced: number | null } | null;
  readonly lastSeenAt: string | null;
}

/** A device a scan found that the kit does not remember (yet): the tablet offers to add it. */
export interface DiscoveredInstrument {
  readonly id: string;
  readonly name: string;
  readonly services: readonly string[];
  readonly rssi: number | null;
  /** The transport that found it (`node-ble`, `serial`, `sim`...). */
  readonly transport: string;
  /** The driver profile that would handle it, or null when the kit has no driver for it. */
  readonly profile: string | null;
  readonly lastSeenAt: string;
}
