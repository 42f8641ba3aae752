import type { WebSocket } from 'ws';
import type { SignalIn } from '../link/carriers/webrtc/signal-protocol.ts';
import { SignalOut, parseSignal } from '../link/carriers/webrtc/signal-protocol.ts';
import { HUB_SIGNAL_LIMIT, TokenBucket } from '../link/carriers/webrtc/signal-rate.ts';
import type { RejectCounters } from '../link/reject.ts';
import type { HubCaller } from './auth.ts';
import type { Enrolments } from './enrolment.ts';

const DEVICE_HEX = /^[0-9a-f]{64}$/;

/**
 * The hub's signaling relay for the direct (WebRTC) carrier: enrolled devices connected to the
 * signaling socket exchange offers, answers and ICE candidates, addressed to an identity (every
 * connected device of it) or one device. The hub stamps each message with the sender's
 * authenticated device and identity, routes only between active enrolments, answers
 * 'unreachable' when nobody is there, and counts what it refuses. It never sees link data.
 */
export class SignalRelay {
  readonly #enrolments: Enrolments;
  readonly #counters: RejectCounters;
  readonly #sockets = new Map<string, Set<WebSocket>>();
  readonly #ping: NodeJS.Timeout;

  constructor(enrolments: Enrolments, counters: RejectCounters) {
    this.#enrolments = enrolments;
    this.#counters = counters;
    // ws-level pings: a signaling socket whose device vanished is dropped within ~20 s.
    this.#ping = setInterval(() => {
      for (const set of this.#sockets.values())
        for (const ws of set) {
          const w = ws as WebSocket & { fkAlive?: boolean };
          if (w.fkAlive === false) ws.terminate();
          else {
            w.fkAlive = false;
            ws.ping();
          }
        }
    }, 10_000);
    this.#ping.unref();
  }

  /** Devices with a signaling socket open (hex keys). */
  connected(): string[] {
    return [...this.#sockets.keys()];
  }

  /** Takes an authenticated signaling socket. */
  attach(ws: WebSocket, caller: HubCaller): void {
    const device = caller.device;
    const set = this.#sockets.get(device) ?? new Set<WebSocket>();
    set.add(ws);
    this.#sockets.set(device, set);
    // Per socket: an ICE gathering burst is a few dozen messages; the client paces itself well
    // inside this, so only a broken or abusive client meets it.
    const bucket = new TokenBucket(HUB_SIGNAL_LIMIT);
    ws.on('pong', () => ((ws as WebSocket & { fkAlive?: boolean }).fkAlive = true));
    ws.on('message', (data, isBinary) => {
      const allowed = bucket.take();
      if (isBinary) {
        this.#counters.count('bad_frame');
        return;
      }
      const text = Array.isArray(data)
        ? Buffer.concat(data).toString()
        : Buffer.from(data as Buffer).toString();
      const parsed = parseSignal(SignalOut, text);
      if (!parsed.ok) {
        this.#counters.count('bad_frame');
        if (allowed) send(ws, { kind: 'refused', detail: parsed.detail });
        return;
      }
      if (!allowed) {
        // Said, not silently dropped: the sender's connect fails at once instead of timing out.
        this.#counters.count('not_allowed');
        if (parsed.value.kind === 'offer')
          send(ws, { kind: 'refused', detail: 'signaling rate exceeded', session: parsed.value.session });
        return;
      }
      void this.#route(ws, caller, parsed.value);
    });
    const drop = (): void => {
      set.delete(ws);
      if (set.size === 0 && this.#sockets.get(device) === set) this.#sockets.delete(device);
    };
    ws.on('close', drop);
    ws.on('error', () => {
      drop();
      ws.terminate();
    });
  }

  async #route(ws: WebSocket, caller: HubCaller, msg: SignalOut): Promise<void> {
    if (!(await this.#enrolments.active(caller.device))) {
      this.#counters.count('not_allowed');
      ws.close(1008, 'device revoked');
      return;
    }
    const targets = DEVICE_HEX.test(msg.to)
      ? (await this.#enrolments.active(msg.to))
        ? [msg.to]
        : []
      : await this.#enrolments.devicesOf(msg.to);
    const out: SignalIn = { ...msg, from: caller.device, fromIdentity: caller.enrolment.identity };
    let delivered = 0;
    for (const device of targets) {
      if (device === caller.device) continue;
      for (const peer of this.#sockets.get(device) ?? []) {
        send(peer, out);
        delivered++;
      }
    }
    if (delivered === 0) {
      if (targets.length === 0) this.#counters.count('unknown_peer');
      if (msg.kind === 'offer') send(ws, { kind: 'unreachable', to: msg.to, session: msg.session });
    }
  }

  /** Closes every signaling socket. */
  close(): void {
    clearInterval(this.#ping);
    for (const set of this.#sockets.values()) for (const ws of set) ws.terminate();
    this.#sockets.clear();
  }
}

function send(ws: WebSocket, msg: SignalIn): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
}
