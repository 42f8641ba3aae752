import type { Directory } from '../../../crypto/directory.ts';
import { fromHex } from '../../../crypto/bytes.ts';
import type { SignalIn, SignalOut } from '../carriers/webrtc/signal-protocol.ts';
import type { CallFromTablet, WireCall } from './call-wire.ts';
import { CALL_RING_MS, CALL_SESSION_PREFIX } from './call-wire.ts';
import { VIDEO_FROM_KBPS, callMedia } from './call-policy.ts';

/** Calls the kit relays at once (each holds two browsers' signaling, nothing more). */
export const MAX_CALLS = 4;

/** Why a tablet's call message was refused (the API answers it with a status). */
export class CallError extends Error {
  override readonly name = 'CallError';
  constructor(
    readonly code: 'no_such_call' | 'taken_elsewhere' | 'signaling_down',
    detail: string,
  ) {
    super(detail);
  }
}

/** What the relay needs: the hub's signaling, the pinned directory, and the tablets' channel. */
export interface CallRelayOptions {
  readonly signaling: {
    on(listener: (msg: SignalIn) => void): () => void;
    send(msg: SignalOut): boolean;
  };
  readonly directory: () => Directory | undefined;
  /** Publishes to every connected tablet (the live channel's `call` event). */
  readonly publish: (call: WireCall) => void;
  /**
   * The link a console device (hex) last reported on the live channel, or null: used only for an
   * offer that does not name the figure it was decided on (an older console).
   */
  readonly linkKbps?: (consoleDevice: string) => number | null;
  readonly ringMs?: number;
  readonly log?: (message: string, detail: Record<string, unknown>) => void;
}

interface Call {
  readonly session: string;
  /** The console device (hex) that offered: answers and candidates go to exactly it. */
  readonly consoleDevice: string;
  /** The tablet that accepted, once one did. */
  tablet: string | undefined;
  readonly timer: NodeJS.Timeout;
}

/**
 * The kit's part of a call: a console's offer (hub signaling, session `call:…`) is rung on every
 * paired tablet; the first tablet that answers holds the call, its answer and candidates go back
 * to the offering console device, and a hang-up from either side reaches the other. Only offers
 * from a device the kit's pinned directory lists for a specialist are rung (the hub already
 * routes only between enrolled devices). A call nobody takes ends after {@link CALL_RING_MS}.
 */
export class CallRelay {
  readonly #o: CallRelayOptions;
  readonly #calls = new Map<string, Call>();
  readonly #off: () => void;

  constructor(options: CallRelayOptions) {
    this.#o = options;
    this.#off = options.signaling.on((msg) => this.#onSignal(msg));
  }

  /** Calls ringing or running now. */
  get active(): number {
    return this.#calls.size;
  }

  /** A tablet's answer, candidate or hang-up. */
  fromTablet(tablet: string, msg: CallFromTablet): void {
    const call = this.#calls.get(msg.session);
    if (!call) throw new CallError('no_such_call', 'the call has ended');
    if (call.tablet !== undefined && call.tablet !== tablet) {
      if (msg.kind === 'bye') return; // a tablet that was not on the call declining late
      throw new CallError('taken_elsewhere', 'another tablet took the call');
    }
    if (msg.kind === 'answer') {
      if (call.tablet !== undefined) throw new CallError('taken_elsewhere', 'the call is already answered');
      call.tablet = tablet;
      clearTimeout(call.timer);
      this.#o.publish({ kind: 'taken', session: msg.session, tablet });
    }
    const out: SignalOut =
      msg.kind === 'answer'
        ? { kind: 'answer', to: call.consoleDevice, session: msg.session, sdp: msg.sdp }
        : msg.kind === 'ice'
          ? { kind: 'ice', to: call.consoleDevice, session: msg.session, candidate: msg.candidate }
          : { kind: 'bye', to: call.consoleDevice, session: msg.session, reason: msg.reason };
    if (msg.kind === 'bye') this.#end(msg.session, msg.reason, false);
    if (!this.#o.signaling.send(out)) {
      this.#end(msg.session, 'no signaling to the hub', true);
      throw new CallError('signaling_down', 'the kit has no signaling path to the hub now');
    }
  }

  /** Ends every call (kit stopping). */
  stop(): void {
    this.#off();
    for (const session of [...this.#calls.keys()]) this.#end(session, 'kit stopping', true);
  }

  #onSignal(msg: SignalIn): void {
    if (!('session' in msg) || !msg.session?.startsWith(CALL_SESSION_PREFIX)) return;
    if (!('from' in msg)) {
      if (msg.kind === 'refused' || msg.kind === 'unreachable') this.#end(msg.session, msg.kind, false);
      return;
    }
    const call = this.#calls.get(msg.session);
    if (msg.kind === 'offer') {
      if (call) return; // a repeated offer (ICE restarts are not used in calls)
      const refuse = (reason: string): void => {
        this.#o.log?.('call: refused', { reason, from: msg.fromIdentity });
        this.#o.signaling.send({ kind: 'bye', to: msg.from, session: msg.session, reason });
      };
      const dir = this.#o.directory();
      const key = fromHex(msg.from);
      const who = dir?.identity(msg.fromIdentity);
      if (!dir || !key || !dir.isDeviceOf(msg.fromIdentity, key) || who?.role !== 'specialist')
        return refuse('not a specialist device in the kit directory');
      if (this.#calls.size >= MAX_CALLS) return refuse('the kit is busy with other calls');
      const timer = setTimeout(
        () => this.#end(msg.session, 'no answer', true),
        this.#o.ringMs ?? CALL_RING_MS,
      );
      timer.unref();
      this.#calls.set(msg.session, {
        session: msg.session,
        consoleDevice: msg.from,
        tablet: undefined,
        timer,
      });
      const offered = /^m=video /m.test(msg.sdp);
      const decidedOn = msg.linkKbps !== undefined ? msg.linkKbps : this.#legacyFigure(msg.from, offered);
      // The tablet adds its camera only when the figure the console decided on allows video: an
      // offer with video on a link it names narrow (or unmeasured) is answered audio only. (An
      // older console's offer, naming no figure, is taken as it came.)
      const video = offered && (msg.linkKbps === undefined || callMedia(decidedOn).video);
      this.#o.publish({
        kind: 'offer',
        session: msg.session,
        fromId: msg.fromIdentity,
        fromName: (who.name.split(',')[0] ?? who.name).trim().slice(0, 200),
        sdp: msg.sdp,
        video,
        linkKbps: decidedOn,
      });
      return;
    }
    if (!call || msg.from !== call.consoleDevice) return;
    if (msg.kind === 'ice') this.#o.publish({ kind: 'ice', session: msg.session, candidate: msg.candidate });
    else if (msg.kind === 'bye') this.#end(msg.session, msg.reason || 'hung up', false);
  }

  /**
   * The figure for an offer that names none (a console from before offers carried it): what the
   * console last reported on the live channel, unless it may have arrived after the console
   * decided (an audio-only offer on a link now known to be wide was decided unmeasured).
   */
  #legacyFigure(consoleDevice: string, offeredVideo: boolean): number | null {
    const reported = this.#o.linkKbps?.(consoleDevice) ?? null;
    return !offeredVideo && reported !== null && reported >= VIDEO_FROM_KBPS ? null : reported;
  }

  /** Forgets a call and tells the tablets; `tellConsole` also says bye to the console. */
  #end(session: string, reason: string, tellConsole: boolean): void {
    const call = this.#calls.get(session);
    if (!call) return;
    clearTimeout(call.timer);
    this.#calls.delete(session);
    this.#o.publish({ kind: 'bye', session, reason: reason.slice(0, 200) });
    if (tellConsole)
      this.#o.signaling.send({ kind: 'bye', to: call.consoleDevice, session, reason: reason.slice(0, 200) });
  }
}
