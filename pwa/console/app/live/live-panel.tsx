import { useEffect, useRef, useState } from 'preact/hooks';
import type { ConsoleState } from '../state.ts';
import { CallSession } from '../call/call-session.ts';
import { CallControls } from '../call/call-controls.tsx';
import { LiveStrip } from './live-strip.tsx';
import './live.css';
import { LiveSession } from './live-session.ts';
import { SignalSocket } from './signal-socket.ts';

const sockets = new WeakMap<ConsoleState, SignalSocket>();

/** The console's one signaling socket to the hub (opened on first use, kept while the page lives). */
export function signalSocketOf(state: ConsoleState): SignalSocket {
  let socket = sockets.get(state);
  if (!socket) {
    socket = new SignalSocket(location.origin, () => state.hubToken());
    sockets.set(state, socket);
  }
  return socket;
}

/**
 * The case view's live part: the visit's vitals as the kit stores them (over the direct path,
 * while the case is open) and the call to the kit's tablet. Both end when the case closes.
 */
export function LivePanel({
  state,
  kit,
  consultation,
}: {
  state: ConsoleState;
  kit: string;
  consultation: string;
}) {
  const [, bump] = useState(0);
  const live = useRef<LiveSession | null>(null);
  const call = useRef<CallSession | null>(null);
  useEffect(() => {
    const keys = state.liveKeys();
    if (!keys) return;
    const socket = signalSocketOf(state);
    const changed = () => bump((n) => n + 1);
    const session = new LiveSession(
      { socket, ...keys, directory: () => state.directory, me: state.identity },
      kit,
      consultation,
      changed,
    );
    live.current = session;
    call.current = new CallSession(socket, kit, () => state.directory, changed);
    session.start();
    return () => {
      session.stop();
      call.current?.hangUp('the specialist closed the case');
      live.current = null;
      call.current = null;
    };
  }, [state, kit, consultation]);
  return (
    <div class="card live-panel">
      {live.current ? <LiveStrip session={live.current} /> : null}
      {call.current ? <CallControls call={call.current} live={live.current} /> : null}
    </div>
  );
}
