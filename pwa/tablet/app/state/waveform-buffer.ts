import type { WireEvents } from '../../../../runtime/http/wire.ts';

type Waveform = WireEvents['waveform'];

/** The last seconds of each waveform channel, for the live strip (display only, never stored here). */
export class WaveformBuffer {
  readonly #seconds: number;
  readonly #channels = new Map<string, { meta: Omit<Waveform, 'samples' | 'startAt'>; samples: number[] }>();
  readonly #listeners = new Set<() => void>();

  constructor(seconds = 10) {
    this.#seconds = seconds;
  }

  /** Appends a run of samples, dropping what is older than the window. */
  push(w: Waveform): void {
    const key = `${w.deviceId}|${w.kind}`;
    let ch = this.#channels.get(key);
    if (!ch || ch.meta.rateHz !== w.rateHz || ch.meta.unit !== w.unit) {
      ch = { meta: { deviceId: w.deviceId, kind: w.kind, rateHz: w.rateHz, unit: w.unit }, samples: [] };
      this.#channels.set(key, ch);
    }
    for (const s of w.samples) ch.samples.push(s);
    const max = Math.ceil(this.#seconds * w.rateHz);
    if (ch.samples.length > max) ch.samples.splice(0, ch.samples.length - max);
    for (const l of this.#listeners) l();
  }

  /** The channels with data, newest data last in each. */
  channels(): { meta: Omit<Waveform, 'samples' | 'startAt'>; samples: readonly number[] }[] {
    return [...this.#channels.values()];
  }

  subscribe(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }
}
