import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  TransportError,
  type DeviceId,
  type DiscoveredDevice,
  type PairingAnswer,
  type PairingPrompt,
  type Transport,
} from '../../ble-devices/transport.ts';
import type { KitEvent } from '../events.ts';
import type { LiveBus } from '../live-bus.ts';
import type { Logger } from '../log.ts';

/** Where a pairing session stands, as the tablet shows it. */
export type PairingState =
  'pairing' | 'waiting-for-answer' | 'showing-passkey' | 'bonded' | 'failed' | 'cancelled';

/** A pairing session as the tablet (and the CLI) sees it; published live on every change. */
export interface PairingSessionView {
  readonly id: string;
  readonly deviceId: string;
  readonly deviceName: string;
  readonly state: PairingState;
  /** The question the person must answer now (or the passkey to type on the instrument). */
  readonly prompt: PairingPrompt | null;
  readonly error: string | null;
  readonly startedAt: string;
  readonly endedAt: string | null;
}

/** Why an answer was not taken (the HTTP layer maps these to 404/409/422). */
export type AnswerRefusal = 'no_session' | 'no_question' | 'invalid_answer';

/** Options of {@link PairingSessions}. */
export interface PairingSessionsOptions {
  readonly transport: Transport;
  readonly bus: LiveBus<KitEvent>;
  readonly log: Logger;
  /** A question left unanswered this long cancels the pairing (default 120 s). */
  readonly answerTimeoutMs?: number;
  /** Called once an instrument is bonded (the manager remembers it). */
  readonly onBonded?: (device: { readonly id: DeviceId; readonly name: string }) => Promise<void>;
  /** Called by {@link PairingSessions.forget} instead of only removing the bond (the manager forgets it too). */
  readonly onForget?: (id: DeviceId) => Promise<void>;
}

const PasskeyAnswer = z.number().int().min(0).max(999_999);
const YesNoAnswer = z.boolean();

interface Session {
  view: PairingSessionView;
  readonly abort: AbortController;
  answer: ((a: PairingAnswer) => void) | null;
  /** Set when the kit itself gave up (no answer in time): the session failed, it was not cancelled. */
  failure: string | null;
  readonly done: Promise<PairingSessionView>;
}

const KEEP_ENDED = 20;

/**
 * Pairing driven from the tablet through the instrument manager: discover, then a session per
 * instrument that relays each of BlueZ's questions (type the passkey the cuff shows, confirm a
 * number, read a passkey to type on the instrument) as a live `pairing` event, takes the
 * person's answer through {@link answer} (which the HTTP layer calls), and ends bonded, failed
 * (with BlueZ's reason) or cancelled. {@link forget} removes the bond.
 */
export class PairingSessions {
  readonly #sessions = new Map<string, Session>();

  constructor(private readonly o: PairingSessionsOptions) {}

  /** Whether the transport can bond at all (noble and the simulator cannot). */
  get supported(): boolean {
    return this.o.transport.pairing !== undefined;
  }

  /** Scans for instruments nearby (the list the tablet offers to pair). */
  discover(timeoutMs = 5000, signal?: AbortSignal): Promise<DiscoveredDevice[]> {
    return this.o.transport.scan({ timeoutMs, ...(signal ? { signal } : {}) });
  }

  /** Every session still known (running ones and the last ended ones). */
  list(): PairingSessionView[] {
    return [...this.#sessions.values()].map((s) => s.view);
  }

  get(id: string): PairingSessionView | undefined {
    return this.#sessions.get(id)?.view;
  }

  /** Resolves with the final view once the session ended. */
  settled(id: string): Promise<PairingSessionView> {
    const s = this.#sessions.get(id);
    return s ? s.done : Promise.reject(new Error(`no pairing session ${id}`));
  }

  /**
   * Starts pairing one instrument; returns at once with the session (its questions arrive as
   * events). Throws `unavailable` when the transport cannot bond, or when the instrument is
   * already being paired.
   */
  start(device: { readonly id: DeviceId; readonly name?: string }): PairingSessionView {
    const pairing = this.o.transport.pairing;
    if (!pairing) throw new TransportError('unavailable', `${this.o.transport.kind} cannot pair instruments`);
    const running = [...this.#sessions.values()].find(
      (s) => s.view.deviceId === device.id && !s.view.endedAt,
    );
    if (running)
      throw new TransportError(
        'unavailable',
        `${device.id} is already being paired (session ${running.view.id})`,
      );
    const abort = new AbortController();
    const now = new Date().toISOString();
    let finish = (_v: PairingSessionView): void => undefined;
    const session: Session = {
      view: {
        id: randomUUID(),
        deviceId: device.id,
        deviceName: device.name ?? device.id,
        state: 'pairing',
        prompt: null,
        error: null,
        startedAt: now,
        endedAt: null,
      },
      abort,
      answer: null,
      failure: null,
      done: new Promise((resolve) => (finish = resolve)),
    };
    this.#sessions.set(session.view.id, session);
    this.#trim();
    this.#publish(session);
    this.o.log.info({ device: device.id, session: session.view.id }, 'pairing started');
    void pairing
      .pair(device.id, (prompt, signal) => this.#ask(session, prompt, signal), abort.signal)
      .then(async () => {
        await this.o.onBonded?.({ id: device.id, name: session.view.deviceName });
        this.#end(session, 'bonded', null);
      })
      .catch((err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        if (session.failure) this.#end(session, 'failed', session.failure);
        else this.#end(session, abort.signal.aborted ? 'cancelled' : 'failed', message);
      })
      .then(() => finish(session.view));
    return session.view;
  }

  /** Takes the person's answer to the session's current question. */
  answer(sessionId: string, answer: unknown): { ok: true } | { ok: false; reason: AnswerRefusal } {
    const s = this.#sessions.get(sessionId);
    if (!s || s.view.endedAt) return { ok: false, reason: 'no_session' };
    const prompt = s.view.prompt;
    if (!prompt || !s.answer || s.view.state !== 'waiting-for-answer')
      return { ok: false, reason: 'no_question' };
    const parsed = (prompt.kind === 'enter-passkey' ? PasskeyAnswer : YesNoAnswer).safeParse(answer);
    if (!parsed.success) return { ok: false, reason: 'invalid_answer' };
    const give = s.answer;
    s.answer = null;
    this.#set(s, { state: 'pairing', prompt: null });
    give(parsed.data);
    return { ok: true };
  }

  /** Cancels a running session (BlueZ CancelPairing); false when there is none. */
  cancel(sessionId: string): boolean {
    const s = this.#sessions.get(sessionId);
    if (!s || s.view.endedAt) return false;
    s.abort.abort();
    return true;
  }

  /** Forgets an instrument: the bond on the kit's side goes (and the manager's record, when wired). */
  async forget(id: DeviceId): Promise<void> {
    if (this.o.onForget) return this.o.onForget(id);
    const pairing = this.o.transport.pairing;
    if (!pairing) throw new TransportError('unavailable', `${this.o.transport.kind} keeps no bonds`);
    await pairing.removeBond(id);
    this.o.log.info({ device: id }, 'bond removed');
  }

  /** Cancels every running session (the kit is stopping). */
  async close(): Promise<void> {
    const running = [...this.#sessions.values()].filter((s) => !s.view.endedAt);
    for (const s of running) s.abort.abort();
    await Promise.all(running.map((s) => s.done));
  }

  #ask(s: Session, prompt: PairingPrompt, signal: AbortSignal): Promise<PairingAnswer> {
    if (prompt.kind === 'display-passkey') {
      this.#set(s, { state: 'showing-passkey', prompt });
      return Promise.resolve(undefined);
    }
    return new Promise<PairingAnswer>((resolve, reject) => {
      const timeout = this.o.answerTimeoutMs ?? 120_000;
      const stop = (why: string): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (s.answer === give) s.answer = null;
        if (!s.view.endedAt && s.view.prompt === prompt) this.#set(s, { state: 'pairing', prompt: null });
        reject(new Error(why));
      };
      const timer = setTimeout(() => {
        s.failure = `no answer in ${Math.round(timeout / 1000)} s`;
        stop(s.failure);
        s.abort.abort();
      }, timeout);
      const onAbort = (): void => stop('the question was withdrawn');
      const give = (a: PairingAnswer): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(a);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      s.answer = give;
      this.#set(s, { state: 'waiting-for-answer', prompt });
    });
  }

  #end(s: Session, state: 'bonded' | 'failed' | 'cancelled', error: string | null): void {
    s.answer = null;
    this.#set(s, { state, prompt: null, error, endedAt: new Date().toISOString() });
    const log = state === 'bonded' ? this.o.log.info.bind(this.o.log) : this.o.log.warn.bind(this.o.log);
    log({ device: s.view.deviceId, session: s.view.id, state, err: error ?? undefined }, 'pairing ended');
  }

  #set(s: Session, patch: Partial<PairingSessionView>): void {
    s.view = { ...s.view, ...patch };
    this.#publish(s);
  }

  #publish(s: Session): void {
    this.o.bus.publish({ type: 'pairing', session: s.view });
  }

  #trim(): void {
    const ended = [...this.#sessions.values()].filter((s) => s.view.endedAt);
    for (const s of ended.slice(0, Math.max(0, ended.length - KEEP_ENDED))) this.#sessions.delete(s.view.id);
  }
}
