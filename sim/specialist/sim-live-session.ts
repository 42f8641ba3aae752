import type { Directory } from '../../crypto/directory.ts';
import type { PeerFactory } from '../../runtime/link/carriers/webrtc/peer.ts';
import type { SignalingClient } from '../../runtime/link/carriers/webrtc/signaling-client.ts';
import type { EndpointIdentity } from '../../runtime/link/endpoint-identity.ts';
import type { SimCallResult } from './sim-call.ts';
import { SimCaller } from './sim-call.ts';
import type { SimLiveReading } from './sim-live.ts';
import { SimLiveWatcher } from './sim-live.ts';

/** What the simulated specialist does live when a consultation arrives (all off by default). */
export interface SimLiveSettings {
  /** Watch the consultation's visit vitals over the direct path, as the console does. */
  readonly watch?: boolean;
  /** Ring the kit's tablets with a synthetic voice, once per consultation. */
  readonly call?: {
    /** Pause after the consultation arrives (default 3 s: the live channel measures first). */
    readonly afterMs?: number;
    /** How long a connected call is held (default 20 s). */
    readonly holdMs?: number;
    /** How long the tablets ring (default 60 s). */
    readonly ringMs?: number;
  };
}

/** The simulated specialist's live parts, as the CLI flags and tests see them. */
export interface SimLiveSession {
  readonly watcher: SimLiveWatcher;
  readonly caller: SimCaller;
  /** Calls finished so far. */
  readonly calls: readonly SimCallResult[];
  /** A verified consultation arrived from `kit`. */
  onConsultation(kit: string, consultation: string): void;
  stop(): void;
}

/**
 * Starts the simulated specialist's live session (issue 12: "the whole loop works with no
 * browser"): for each verified consultation, per `settings`, it watches the visit's vitals over
 * the direct path (sim-live.ts) and rings the kit's tablets with a synthetic voice (sim-call.ts).
 */
export function startSimLiveSession(o: {
  readonly settings: SimLiveSettings;
  readonly signaling: SignalingClient;
  readonly factory?: PeerFactory | (() => Promise<PeerFactory>);
  readonly identity: EndpointIdentity;
  readonly directory: () => Directory | undefined;
  readonly me: () => string | undefined;
  readonly onReading?: (kit: string, reading: SimLiveReading) => void;
  readonly log: (message: string, detail?: Record<string, unknown>) => void;
}): SimLiveSession {
  const watcher = new SimLiveWatcher({
    signaling: o.signaling,
    ...(o.factory ? { factory: o.factory } : {}),
    identity: o.identity,
    directory: o.directory,
    me: o.me,
    ...(o.onReading ? { onReading: o.onReading } : {}),
    log: o.log,
  });
  const call = o.settings.call;
  const caller = new SimCaller({
    signaling: o.signaling,
    directory: o.directory,
    log: o.log,
    ...(call?.holdMs !== undefined ? { holdMs: call.holdMs } : {}),
    ...(call?.ringMs !== undefined ? { ringMs: call.ringMs } : {}),
    linkKbps: () => watcher.callKbps,
  });
  const calls: SimCallResult[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  return {
    watcher,
    caller,
    calls,
    onConsultation(kit, consultation) {
      if (stopped) return;
      if (o.settings.watch)
        watcher
          .watch(kit, consultation)
          .catch((e: unknown) => o.log('simulated specialist: no live channel', { kit, error: String(e) }));
      if (!call) return;
      const t = setTimeout(() => {
        timers.delete(t);
        if (stopped || caller.active > 0) return;
        caller
          .call(kit)
          .then((r) => calls.push(r))
          .catch((e: unknown) => o.log('simulated specialist: the call failed', { kit, error: String(e) }));
      }, call.afterMs ?? 3000);
      timers.add(t);
    },
    stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      caller.stop();
      watcher.stop();
    },
  };
}
