import { realpath } from 'node:fs/promises';
import { contecCommand } from '../../codecs/contec/commands.ts';
import { CMS50_SERIAL, cms50LinkInfo, type Cms50LinkInfo } from '../../codecs/contec/cms50-link.ts';
import { FRAME9_LENGTH } from '../../codecs/contec/frame-9byte.ts';
import { ContecStreamParser } from '../../codecs/contec/stream-parser.ts';
import { CodecError } from '../../codecs/errors.ts';
import { uuidKey } from '../../codecs/uuid.ts';
import {
  TransportError,
  type DeviceId,
  type GattConnection,
  type SubscribeMode,
  type Unsubscribe,
} from '../../transport.ts';
import { addParserDelta, type SerialCounters } from './serial-counters.ts';
import type { SerialLine } from './serial-line.ts';

const SERVICE = uuidKey(CMS50_SERIAL.service);
const FRAMES = uuidKey(CMS50_SERIAL.frames);
const LINK = uuidKey(CMS50_SERIAL.link);
const COMMAND = uuidKey(CMS50_SERIAL.command);
const STATS = uuidKey(CMS50_SERIAL.stats);
const START_LIVE = contecCommand.encode({ generation: '9byte', code: 0xa1 });
const KEEP_ALIVE = contecCommand.encode({ generation: '9byte', code: 0xaf });

/** Timing of the link's upkeep: 9-byte keep-alive and restart, presence of the port. */
export interface LinkUpkeep {
  /** Period of the 0xAF keep-alive (headrotor sends one every ~100 frames, ~1.7 s). */
  readonly keepAliveMs: number;
  /** No frame for this long while connected: send `start live` again (counted). */
  readonly stallMs: number;
  /** How often the port's path is checked for a pulled cable, and what it resolved to at open. */
  readonly presenceMs: number;
  readonly realPath: string;
}

function aborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new TransportError('aborted', 'operation aborted');
}

/**
 * An open CMS50 port presented as a GATT link (see cms50-link.ts for the naming). Frames are
 * cut and sync-checked here, so subscribers only ever see whole frames; noise and partial frames
 * are counted. On the 9-byte generation the connection starts the live stream, sends the
 * keep-alive and restarts a stream that went quiet.
 */
export class SerialConnection implements GattConnection {
  readonly #subscribers = new Set<(value: Uint8Array) => void>();
  readonly #lostListeners = new Set<(reason: string) => void>();
  readonly #parser: ContecStreamParser;
  #chain: Promise<unknown> = Promise.resolve();
  #open = true;
  #timer: NodeJS.Timeout | undefined;
  #presence: NodeJS.Timeout | undefined;
  #lastFrameAt = Date.now();
  #lastRestartAt = Date.now();

  constructor(
    readonly id: DeviceId,
    private readonly line: SerialLine,
    private readonly link: Cms50LinkInfo,
    private readonly counters: SerialCounters,
    upkeep: LinkUpkeep,
  ) {
    this.#parser = new ContecStreamParser({ generation: link.generation });
    line.onData((chunk) => this.#receive(chunk));
    line.onClose((reason, unexpected) => this.#lost(reason, unexpected));
    if (link.generation === '9byte') {
      this.#send(START_LIVE, 'command');
      this.#timer = setInterval(() => this.#upkeep(upkeep), Math.min(upkeep.keepAliveMs, upkeep.stallMs));
    }
    this.#presence = setInterval(() => this.#checkPresent(upkeep.realPath), upkeep.presenceMs);
  }

  #lost(reason: string, unexpected: boolean): void {
    if (!this.#open) return;
    if (unexpected) this.counters.linkLosses++;
    this.#end(reason);
  }

  /**
   * A pulled USB cable makes reads fail at once, but a pty whose other end died does not always
   * wake the poller: the port's path is checked too, and its vanishing (or now pointing at another
   * device) is a link loss.
   */
  #checkPresent(realPathAtOpen: string): void {
    realpath(this.id).then(
      (now) => {
        if (now !== realPathAtOpen) this.#gone(`port ${this.id} now points at ${now}: cable replugged?`);
      },
      () => this.#gone(`port ${this.id} vanished: cable pulled?`),
    );
  }

  #gone(reason: string): void {
    if (!this.#open) return;
    this.#lost(reason, true);
    void this.line.close();
  }

  #receive(chunk: Uint8Array): void {
    const before = this.#parser.stats;
    const frames = this.#parser.pushChunk(chunk);
    addParserDelta(this.counters, before, this.#parser.stats);
    if (frames.length > 0) this.#lastFrameAt = Date.now();
    for (const f of frames) {
      for (const s of [...this.#subscribers]) {
        try {
          s(f.raw);
        } catch {
          // A subscriber's bug must not take the port down; the frame is still counted as received.
        }
      }
    }
  }

  #keepAliveDue = 0;

  #upkeep(u: LinkUpkeep): void {
    const now = Date.now();
    if (now - this.#lastFrameAt > u.stallMs && now - this.#lastRestartAt > u.stallMs) {
      this.#lastRestartAt = now;
      this.counters.streamRestarts++;
      this.#send(START_LIVE, 'command');
    }
    if (now >= this.#keepAliveDue) {
      this.#keepAliveDue = now + u.keepAliveMs;
      this.#send(KEEP_ALIVE, 'keep-alive');
    }
  }

  #send(bytes: Uint8Array, kind: 'command' | 'keep-alive'): void {
    if (!this.#open) return;
    if (kind === 'keep-alive') this.counters.keepAlivesSent++;
    else this.counters.commandsSent++;
    this.counters.bytesOut += bytes.length;
    this.line.write(bytes).catch(() => undefined);
  }

  #end(reason: string): void {
    if (!this.#open) return;
    this.#open = false;
    clearInterval(this.#timer);
    clearInterval(this.#presence);
    const before = this.#parser.stats;
    this.#parser.flush();
    addParserDelta(this.counters, before, this.#parser.stats);
    this.#subscribers.clear();
    for (const l of [...this.#lostListeners]) l(reason);
    this.#lostListeners.clear();
  }

  #run<T>(op: () => T | Promise<T>): Promise<T> {
    const next = this.#chain.then(op, op);
    this.#chain = next.catch(() => undefined);
    return next;
  }

  #live(): void {
    if (!this.#open || !this.line.isOpen)
      throw new TransportError('not_connected', `${this.id} is not connected`);
  }

  #char(service: string, characteristic: string): string {
    const c = uuidKey(characteristic);
    if (uuidKey(service) !== SERVICE || ![FRAMES, LINK, COMMAND, STATS].includes(c)) {
      throw new TransportError(
        'no_such_characteristic',
        `no characteristic ${c} in service ${uuidKey(service)} on ${this.id}`,
      );
    }
    return c;
  }

  read(service: string, characteristic: string, signal?: AbortSignal): Promise<Uint8Array> {
    return this.#run(() => {
      aborted(signal);
      this.#live();
      const c = this.#char(service, characteristic);
      if (c === LINK) return cms50LinkInfo.encode(this.link);
      if (c === STATS) return new TextEncoder().encode(JSON.stringify(this.counters));
      throw new TransportError('not_permitted', `characteristic ${c} is not readable`);
    });
  }

  write(service: string, characteristic: string, value: Uint8Array, signal?: AbortSignal): Promise<void> {
    return this.#run(async () => {
      aborted(signal);
      this.#live();
      const c = this.#char(service, characteristic);
      if (c !== COMMAND) throw new TransportError('not_permitted', `characteristic ${c} is not writable`);
      if (value.byteLength > FRAME9_LENGTH) {
        throw new TransportError('value_too_long', `${value.byteLength} > ${FRAME9_LENGTH} bytes`);
      }
      let generation: string;
      try {
        generation = contecCommand.decode(value).generation;
      } catch (err) {
        if (err instanceof CodecError)
          throw new TransportError('not_permitted', `not a CMS50 command: ${err.message}`);
        throw err;
      }
      if (generation !== this.link.generation) {
        throw new TransportError(
          'not_permitted',
          `a ${generation} command on a ${this.link.generation} link`,
        );
      }
      this.counters.commandsSent++;
      this.counters.bytesOut += value.byteLength;
      await this.line.write(value);
    });
  }

  subscribe(
    service: string,
    characteristic: string,
    mode: SubscribeMode,
    onValue: (value: Uint8Array) => void,
  ): Promise<Unsubscribe> {
    return this.#run(() => {
      this.#live();
      const c = this.#char(service, characteristic);
      if (c !== FRAMES) throw new TransportError('not_permitted', `characteristic ${c} does not notify`);
      if (mode !== 'notify')
        throw new TransportError('not_permitted', `characteristic ${c} notifies, it does not indicate`);
      const listener = (v: Uint8Array): void => onValue(v);
      this.#subscribers.add(listener);
      return () => {
        this.#subscribers.delete(listener);
        return Promise.resolve();
      };
    });
  }

  onDisconnect(listener: (reason: string) => void): () => void {
    if (!this.#open) {
      queueMicrotask(() => listener('not connected'));
      return () => undefined;
    }
    this.#lostListeners.add(listener);
    return () => this.#lostListeners.delete(listener);
  }

  disconnect(): Promise<void> {
    return this.#run(async () => {
      if (!this.#open) return;
      this.#end('collector disconnected');
      await this.line.close();
    });
  }
}
