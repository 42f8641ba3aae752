import { seededRandom } from '../random.ts';

/** Options of the synthetic single-lead ECG. */
export interface EcgSynthOptions {
  readonly rateHz: number;
  /** Mean heart rate; beat-to-beat intervals vary around it with breathing (sinus arrhythmia). */
  readonly heartRateBpm: number;
  readonly seed?: number;
  /** Standard deviation of the broadband noise, µV (muscle, electrode). Default 15. */
  readonly noiseUv?: number;
  /** Amplitude of the respiratory baseline wander, µV. Default 120. */
  readonly wanderUv?: number;
}

/** One wave of the beat: Gaussian bump at `at` seconds from the R peak (T scales with the RR interval). */
interface Wave {
  readonly amplitudeUv: number;
  readonly at: number;
  readonly width: number;
  readonly scalesWithRr: boolean;
}

// Lead-I-like shape (McSharry et al. 2003 style sum of Gaussians), widened for 130 Hz so QRS is
// more than one sample wide.
const WAVES: readonly Wave[] = [
  { amplitudeUv: 120, at: -0.2, width: 0.025, scalesWithRr: true },
  { amplitudeUv: -110, at: -0.035, width: 0.012, scalesWithRr: false },
  { amplitudeUv: 1150, at: 0, width: 0.016, scalesWithRr: false },
  { amplitudeUv: -260, at: 0.035, width: 0.014, scalesWithRr: false },
  { amplitudeUv: 280, at: 0.26, width: 0.05, scalesWithRr: true },
];

/**
 * A realistic single-lead ECG sample by sample: P-QRS-T beats at the set heart rate with
 * respiratory sinus arrhythmia (QT stretching with the RR interval, Bazett), baseline wander,
 * Gaussian noise, and an electrode-off mode (no beats, a drifting, railing baseline). Seeded,
 * so a session replays exactly. Values are integer µV, as the H10 sends them.
 */
export class EcgSynth {
  readonly #random: () => number;
  readonly #period: number;
  #t = 0;
  #beats: number[] = [];
  #beatIndex = 0;
  #drift = 0;
  #spare: number | null = null;

  constructor(readonly options: EcgSynthOptions) {
    if (!(options.rateHz > 0) || !(options.heartRateBpm >= 20 && options.heartRateBpm <= 250)) {
      throw new RangeError('rateHz must be > 0 and heartRateBpm in 20..250');
    }
    this.#random = seededRandom(options.seed ?? 1);
    this.#period = 1 / options.rateHz;
    this.#beats = [0.3];
  }

  #gauss(): number {
    if (this.#spare !== null) {
      const s = this.#spare;
      this.#spare = null;
      return s;
    }
    const u = Math.max(1e-12, this.#random());
    const v = this.#random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  #nextRr(): number {
    const mean = 60 / this.options.heartRateBpm;
    const breathing = 0.04 * Math.sin((2 * Math.PI * this.#beatIndex) / 4.5);
    this.#beatIndex++;
    return mean * (1 + breathing + 0.01 * this.#gauss());
  }

  /** The next sample, µV. With `leadOff` the electrodes see no heart: drift to the rails and noise. */
  next(leadOff = false): number {
    const t = this.#t;
    this.#t += this.#period;
    while (this.#beats[this.#beats.length - 1]! < t + 1) {
      this.#beats.push(this.#beats[this.#beats.length - 1]! + this.#nextRr());
    }
    while (this.#beats.length > 3 && this.#beats[1]! < t - 1) this.#beats.shift();
    const noise = (this.options.noiseUv ?? 15) * this.#gauss();
    if (leadOff) {
      this.#drift = Math.max(-400_000, Math.min(400_000, this.#drift + 4000 * this.#gauss() + 900));
      return Math.round(this.#drift + 20 * noise);
    }
    this.#drift *= 0.9;
    let v = (this.options.wanderUv ?? 120) * Math.sin(2 * Math.PI * 0.25 * t) + noise + this.#drift;
    for (let k = 0; k < this.#beats.length - 1; k++) {
      const r = this.#beats[k]!;
      const rr = this.#beats[k + 1]! - r;
      const scale = Math.sqrt(rr);
      for (const w of WAVES) {
        const at = r + (w.scalesWithRr ? w.at * scale : w.at);
        const d = (t - at) / w.width;
        if (d > -6 && d < 6) v += w.amplitudeUv * Math.exp(-0.5 * d * d);
      }
    }
    return Math.round(v);
  }
}
