import type { KitEvent } from '../../events.ts';
import { toWireObservation } from '../../http/wire.ts';
import type { LiveBus } from '../../live-bus.ts';
import type { Logger } from '../../log.ts';
import type { PeerFactory } from '../carriers/webrtc/peer.ts';
import { WebRtcAnswerer } from '../carriers/webrtc/webrtc-carrier.ts';
import { fromHex } from '../../../crypto/bytes.ts';
import type { KitLink } from '../kit-link.ts';
import { storeIdentity } from '../endpoint-identity.ts';
import type { RecordStore } from '../../../store/index.ts';
import type { CallFromTablet } from './call-wire.ts';
import { CallRelay } from './call-relay.ts';
import { LIVE_SESSION_PREFIX } from './live-wire.ts';
import { LiveVitals } from './live-vitals.ts';

/** What {@link startKitLive} wires together. */
export interface KitLiveOptions {
  readonly link: KitLink;
  readonly store: Pick<RecordStore, 'publicIdentity' | 'signAsKit' | 'openSealedToKit'>;
  readonly bus: LiveBus<KitEvent>;
  readonly log: Logger;
  /** A consultation's visit and addressee by link item id (the tablets' consultations). */
  readonly visitOf: (itemId: string) => { visitId: string; to: string } | undefined;
  /** Makes peer connections (default: @roamhq/wrtc, loaded on the first offer). */
  readonly factory?: PeerFactory | (() => Promise<PeerFactory>);
  /** Test-only pacing of the direct path's probe (see `LiveVitalsOptions.probePace`). */
  readonly probePace?: number;
}

/** The kit's live parts, as the API and the kit's stop see them. */
export interface KitLive {
  readonly vitals: LiveVitals;
  readonly calls: CallRelay;
  /** A tablet's answer, candidate or hang-up (throws CallError). */
  fromTablet(tablet: string, msg: CallFromTablet): void;
  stop(): void;
}

/**
 * Starts the kit's live session parts on the direct paths' signaling socket to the hub: the
 * answerer of consoles' `live:…` channels (only devices the pinned directory lists for a
 * specialist), the live vitals they watch, and the relay of calls between consoles and tablets.
 * Absent when the kit has no direct paths (then nothing live is offered).
 */
export function startKitLive(o: KitLiveOptions): KitLive | undefined {
  const direct = o.link.direct;
  if (!direct) return undefined;
  const signaling = direct.signaling;
  const directory = () => o.link.endpoint.pin.current;
  const log = (message: string, detail: Record<string, unknown>) => o.log.warn(detail, message);
  // What the hub session measured (an assumed rate is no measurement).
  const uplinkKbps = (): number | null => {
    const pacer = o.link.hubLink.session?.pacer;
    return pacer?.measured ? Math.round((pacer.rate * 8) / 1000) : null;
  };
  const vitals = new LiveVitals({
    directory,
    me: () => o.link.endpoint.identityId,
    signer: storeIdentity(o.store).signer,
    visitOf: o.visitOf,
    onObservations: (listener) =>
      o.bus.subscribe((e) => {
        if (e.type === 'observations') listener(e.records.map(toWireObservation));
        // A reading kept in a visit on a tablet, or entered by hand: the visit's vitals.
        else if (e.type === 'visit' && e.change.kind === 'entry' && e.change.entry.observation)
          listener([{ ...e.change.entry.observation, visitId: e.change.visitId }]);
      }),
    linkKbps: uplinkKbps,
    ...(o.probePace ? { probePace: o.probePace } : {}),
    log,
  });
  const answerer = new WebRtcAnswerer({
    signaling,
    ...(o.factory ? { factory: o.factory } : {}),
    sessions: (s) => s.startsWith(LIVE_SESSION_PREFIX),
    accept: (device, identity) => {
      const dir = directory();
      const key = fromHex(device);
      return !!dir && !!key && dir.isDeviceOf(identity, key) && dir.identity(identity)?.role === 'specialist';
    },
  });
  answerer.onConnection((conn) => {
    const session = 'session' in conn && typeof conn.session === 'string' ? conn.session : '';
    o.log.info({ specialist: conn.remote.identity }, 'live: a console opened a live channel');
    vitals.serve(conn, session);
  });
  const calls = new CallRelay({
    signaling,
    directory,
    publish: (call) => o.bus.publish({ type: 'call', call }),
    // The console's own measurement of the link (it decided video from it), else the kit's.
    linkKbps: (device) => vitals.linkOf(device)?.kbps ?? uplinkKbps(),
    log,
  });
  // Signaling starts in the background: the hub may be away; the client reconnects by itself.
  void answerer.start().catch((e: unknown) => o.log.warn({ err: String(e) }, 'live: signaling failed'));
  return {
    vitals,
    calls,
    fromTablet: (tablet, msg) => calls.fromTablet(tablet, msg),
    stop() {
      calls.stop();
      vitals.stop();
      answerer.stop();
    },
  };
}
