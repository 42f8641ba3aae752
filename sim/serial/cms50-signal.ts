import type { ContecLive5 } from '../../ble-devices/codecs/contec/frame-5byte.ts';
import type { ContecLive9 } from '../../ble-devices/codecs/contec/frame-9byte.ts';
import { walk } from '../random.ts';

/**
 * The physiology behind a simulated CMS50: SpO2 and pulse rate drifting in plausible ranges and
 * a photoplethysmogram (sharp systolic upstroke, decay, dicrotic notch) beating at the pulse
 * rate. One step per frame (60 per second).
 */
export class Cms50Signal {
  #spo2 = 97;
  #pr = 72;
  #phase = 0;
  #frames = 0;

  constructor(
    private readonly random: () => number,
    private readonly rateHz: number,
  ) {}

  /** Advances one frame; returns the pleth sample (0-100) and whether a beat started. */
  #step(): { pleth: number; beat: boolean } {
    this.#frames++;
    if (this.#frames % this.rateHz === 0) {
      this.#spo2 = walk(this.#spo2, 0.5, 93, 99, this.random);
      this.#pr = walk(this.#pr, 1.5, 55, 110, this.random);
    }
    const before = this.#phase;
    this.#phase = (this.#phase + this.#pr / 60 / this.rateHz) % 1;
    const p = this.#phase;
    const wave =
      p < 0.15 ? p / 0.15 : Math.exp(-(p - 0.15) * 4) + 0.12 * Math.exp(-(((p - 0.45) / 0.04) ** 2));
    return { pleth: Math.max(0, Math.min(100, Math.round(wave * 90 + 5))), beat: this.#phase < before };
  }

  /** The next frame of the older 5-byte generation. */
  next5(): ContecLive5 {
    const { pleth, beat } = this.#step();
    return {
      signalStrength: 8,
      fingerOut: false,
      droppingSpo2: false,
      beep: beat,
      pleth,
      bargraph: Math.min(15, Math.round(pleth / 7)),
      probeError: false,
      searching: false,
      pulseRate: Math.round(this.#pr),
      spo2: Math.round(this.#spo2),
    };
  }

  /** The next live frame of the 9-byte generation; PR/SpO2 flagged not yet valid for the first 2 s. */
  next9(): ContecLive9 {
    const { pleth, beat } = this.#step();
    const warming = this.#frames < 2 * this.rateHz;
    return {
      status: warming ? 0xe1 : 0xe0,
      byte2: 0x08 | (beat ? 0x40 : 0),
      plethA: pleth,
      plethB: Math.max(0, pleth - 3),
      pulseRate: warming ? 0 : Math.min(127, Math.round(this.#pr)),
      spo2: warming ? 0 : Math.round(this.#spo2),
      tail: [0x7f, 0x7f],
    };
  }

  /** Three stored 1-second samples for a playback frame. */
  stored(): { spo2: number; pulseRate: number }[] {
    return [0, 1, 2].map(() => ({
      spo2: Math.round(walk(this.#spo2, 1, 90, 99, this.random)),
      pulseRate: Math.round(walk(this.#pr, 3, 50, 120, this.random)),
    }));
  }
}
