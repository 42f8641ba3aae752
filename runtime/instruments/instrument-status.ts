/** What the kit knows about one instrument right now: shown on the tablet, counted in tests. */
export interface InstrumentStatus {
  readonly id: string;
  readonly name: string;
  readonly profile: string;
  readonly transport: string;
  readonly state: 'connecting' | 'connected' | 'disconnected';
  readonly readings: number;
  /** Frames the codec refused (typed errors), surfaced rather than only logged. */
  readonly dropped: number;
  readonly lastReadingAt: string | null;
  readonly lastError: string | null;
}
