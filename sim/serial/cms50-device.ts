import { SerialPort } from 'serialport';
import { contecCommand } from '../../ble-devices/codecs/contec/commands.ts';
import { CMS50_LINE } from '../../ble-devices/codecs/contec/cms50-link.ts';
import { contecLive5, type ContecLive5 } from '../../ble-devices/codecs/contec/frame-5byte.ts';
import { contecLive9, FRAME9_LENGTH, type ContecLive9 } from '../../ble-devices/codecs/contec/frame-9byte.ts';
import { contecPlayback9 } from '../../ble-devices/codecs/contec/playback-9byte.ts';
import { CodecError } from '../../ble-devices/codecs/errors.ts';
import { seededRandom } from '../random.ts';
import { Cms50Signal } from './cms50-signal.ts';
import { LineSpeedWatch } from './line-speed.ts';
import { uartReceive } from './uart-line.ts';

/** The two CMS50 firmware families: the old 5-byte stream and the 9-byte (v4.6+/"v7") command protocol. */
export type Cms50Protocol = '5byte' | 'v7';

/** Faults a simulated CMS50 injects; every one has a counter in {@link SimCms50Stats}. */
export interface SimCms50Faults {
  /** Probability per frame of 1-6 random bytes on the line before it (a noisy cable). */
  readonly noiseRate?: number;
  /** Probability that a frame loses its tail (a partial packet). */
  readonly partialRate?: number;
  /** The device never hears keep-alives, so a v7 device stops streaming after its timeout. */
  readonly keepAliveLoss?: boolean;
  /** The device's real line speed; differing from the kit's garbles both directions. */
  readonly baudRate?: number;
  /** A cable with nothing on it: the port exists, nothing ever answers. */
  readonly noDevice?: boolean;
}

/** Options of a simulated CMS50 (validated by the CLI or the test that builds one). */
export interface SimCms50Options {
  readonly protocol: Cms50Protocol;
  readonly seed?: number;
  /** Live frames per second (the devices send about 60). */
  readonly rateHz?: number;
  /** v7: stop streaming when no keep-alive (or start command) arrived for this long. */
  readonly keepAliveTimeoutMs?: number;
  /** How often the device looks at the speed the kit set on its end. */
  readonly lineCheckMs?: number;
  readonly faults?: SimCms50Faults;
}

/** What the device did, for tests and the CLI's status line. */
export interface SimCms50Stats {
  framesSent: number;
  noiseBytes: number;
  partialFrames: number;
  garbledWrites: number;
  bytesDroppedBackpressure: number;
  commands: Record<string, number>;
  keepAlivesIgnored: number;
  streamStarts: number;
  streamStops: number;
}

const BATCH_MS = 50;
const MAX_QUEUED = 4096;

/**
 * A simulated Contec CMS50 on the device end of a pty pair. Bytes come from the kit's own
 * encoders (spec-exact), paced like the real device (60 frames/s in 50 ms batches). The 5-byte
 * family streams unasked at 19200 8O1; the v7 family streams at 115200 only after `start live`
 * (0xA1) and stops when keep-alives (0xAF) stop. A baud mismatch is modelled on the bytes
 * (see uart-line.ts) against the speed the kit set on its end.
 */
export class SimCms50Device {
  readonly stats: SimCms50Stats = {
    framesSent: 0,
    noiseBytes: 0,
    partialFrames: 0,
    garbledWrites: 0,
    bytesDroppedBackpressure: 0,
    commands: {},
    keepAlivesIgnored: 0,
    streamStarts: 0,
    streamStops: 0,
  };
  readonly #random: () => number;
  readonly #signal: Cms50Signal;
  readonly #rate: number;
  readonly #deviceBaud: number;
  readonly #line: LineSpeedWatch;
  #port: SerialPort | null = null;
  #timer: NodeJS.Timeout | undefined;
  #streaming: boolean;
  #lastKeepAlive = 0;
  #started = 0;
  #due = 0;
  #rx: number[] = [];
  #playback = 0;
  /** Test control: holds the live stream (the line stays up; `sendFrame`/`sendRaw` still work). */
  paused = false;

  constructor(
    readonly devicePath: string,
    readonly kitPath: string,
    readonly options: SimCms50Options,
  ) {
    this.#random = seededRandom(options.seed ?? 1);
    this.#rate = options.rateHz ?? 60;
    this.#signal = new Cms50Signal(
      seededRandom((options.seed ?? 1) + 11),
      Math.max(1, Math.round(this.#rate)),
    );
    const generation = options.protocol === '5byte' ? '5byte' : '9byte';
    this.#deviceBaud = options.faults?.baudRate ?? CMS50_LINE[generation].baudRate;
    this.#line = new LineSpeedWatch(kitPath, options.lineCheckMs ?? 100);
    this.#streaming = options.protocol === '5byte';
  }

  /** True while the device sends live frames. */
  get streaming(): boolean {
    return this.#streaming && !this.options.faults?.noDevice;
  }

  /** Opens the device end and starts the device's clock. */
  async start(): Promise<void> {
    const port = new SerialPort({ path: this.devicePath, baudRate: this.#deviceBaud, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    // A pulled cable closes this end too; the device just goes quiet.
    port.on('error', () => undefined);
    port.on('close', () => this.#halt());
    port.on('data', (chunk: Buffer) => this.#onData(chunk));
    this.#port = port;
    this.#line.start();
    this.#started = Date.now();
    this.#due = 0;
    this.#timer = setInterval(() => this.#tick(), BATCH_MS);
  }

  /** Stops the clock and closes the device end. */
  async stop(): Promise<void> {
    this.#halt();
    const port = this.#port;
    this.#port = null;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  #halt(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#line.stop();
  }

  /** Sends one live frame now with the given fields (tests tag frames this way), through the line model. */
  sendFrame(fields: Partial<ContecLive5> | Partial<ContecLive9>): void {
    const bytes =
      this.options.protocol === '5byte'
        ? contecLive5.encode({ ...this.#signal.next5(), ...(fields as Partial<ContecLive5>) })
        : contecLive9.encode({ ...this.#signal.next9(), ...(fields as Partial<ContecLive9>) });
    this.stats.framesSent++;
    this.#write(bytes);
  }

  /** Puts arbitrary bytes on the line (fuzzing the kit's framing through a real pty). */
  sendRaw(bytes: Uint8Array): void {
    this.#write(bytes);
  }

  #kitBaud(): number {
    return this.#line.baud ?? this.#deviceBaud;
  }

  #framing() {
    const l = CMS50_LINE[this.options.protocol === '5byte' ? '5byte' : '9byte'];
    return { dataBits: l.dataBits, parity: l.parity, stopBits: l.stopBits } as const;
  }

  #write(bytes: Uint8Array): void {
    const port = this.#port;
    if (!port?.isOpen || this.options.faults?.noDevice) return;
    const kit = this.#kitBaud();
    const onWire = uartReceive(bytes, this.#deviceBaud, kit, this.#framing());
    if (kit !== this.#deviceBaud) this.stats.garbledWrites++;
    // Nobody reading the kit end: the real device transmits into the void, so do not queue forever.
    if (port.writableLength > MAX_QUEUED) {
      this.stats.bytesDroppedBackpressure += onWire.length;
      return;
    }
    if (onWire.length > 0) port.write(Buffer.from(onWire));
  }

  #heard: Promise<void> = Promise.resolve();

  #onData(chunk: Buffer): void {
    if (this.options.faults?.noDevice || this.options.protocol === '5byte') return;
    // What the device hears depends on the speed the kit sends at now: look, then decode, in order.
    this.#heard = this.#heard.then(async () => {
      await this.#line.refresh();
      this.#receive(chunk);
    });
  }

  #receive(chunk: Buffer): void {
    const heard = uartReceive(chunk, this.#kitBaud(), this.#deviceBaud, this.#framing());
    this.#rx.push(...heard);
    while (this.#rx.length > 0) {
      const sync = this.#rx.indexOf(0x7d);
      if (sync < 0) {
        this.#rx = [];
        break;
      }
      if (sync > 0) this.#rx.splice(0, sync);
      if (this.#rx.length < FRAME9_LENGTH) break;
      const candidate = Uint8Array.from(this.#rx.slice(0, FRAME9_LENGTH));
      try {
        const cmd = contecCommand.decode(candidate);
        this.#rx.splice(0, FRAME9_LENGTH);
        if (cmd.generation === '9byte') this.#command(cmd.code);
      } catch (err) {
        if (!(err instanceof CodecError)) throw err;
        this.#rx.splice(0, 1);
      }
    }
  }

  #command(code: number): void {
    const name = contecCommand.toJson({ generation: '9byte', code }).command as string;
    this.stats.commands[name] = (this.stats.commands[name] ?? 0) + 1;
    if (code === 0xa1) {
      if (!this.#streaming) this.stats.streamStarts++;
      this.#streaming = true;
      this.#lastKeepAlive = Date.now();
    } else if (code === 0xaf) {
      if (this.options.faults?.keepAliveLoss) this.stats.keepAlivesIgnored++;
      else this.#lastKeepAlive = Date.now();
    } else if (code === 0xa6) {
      this.#playback = 10;
    }
  }

  #frame(): Uint8Array {
    const f = this.options.faults ?? {};
    let bytes =
      this.options.protocol === '5byte'
        ? contecLive5.encode(this.#signal.next5())
        : contecLive9.encode(this.#signal.next9());
    this.stats.framesSent++;
    if ((f.partialRate ?? 0) > 0 && this.#random() < f.partialRate!) {
      bytes = bytes.subarray(0, 1 + Math.floor(this.#random() * (bytes.length - 1)));
      this.stats.partialFrames++;
    }
    if ((f.noiseRate ?? 0) > 0 && this.#random() < f.noiseRate!) {
      const noise = Uint8Array.from({ length: 1 + Math.floor(this.#random() * 6) }, () =>
        Math.floor(this.#random() * 256),
      );
      this.stats.noiseBytes += noise.length;
      return Uint8Array.from([...noise, ...bytes]);
    }
    return bytes;
  }

  #tick(): void {
    const now = Date.now();
    if (this.options.protocol === 'v7' && this.#streaming) {
      const timeout = this.options.keepAliveTimeoutMs ?? 5000;
      if (now - this.#lastKeepAlive > timeout) {
        this.#streaming = false;
        this.stats.streamStops++;
      }
    }
    const target = Math.floor(((now - this.#started) / 1000) * this.#rate);
    const count = Math.min(target - this.#due, Math.ceil((this.#rate * 4 * BATCH_MS) / 1000));
    this.#due = target;
    const parts: Uint8Array[] = [];
    if (this.#playback > 0) {
      this.#playback--;
      const [a, b, c] = this.#signal.stored();
      parts.push(contecPlayback9.encode({ samples: [a!, b!, c!] }));
    }
    if (this.streaming && !this.paused) for (let i = 0; i < count; i++) parts.push(this.#frame());
    if (parts.length === 0) return;
    this.#write(Uint8Array.from(parts.flatMap((p) => [...p])));
  }
}
