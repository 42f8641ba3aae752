import { useRef } from 'preact/hooks';
import { lt } from '../live/live-text.ts';
import type { LiveKey } from '../live/live-text.ts';
import type { CallEnd, CallSession } from './call-session.ts';

const END: Readonly<Record<CallEnd, LiveKey>> = {
  local: 'endLocal',
  remote: 'endRemote',
  declined: 'endDeclined',
  unanswered: 'endUnanswered',
  failed: 'endFailed',
};

/** «Позвонить» in the case view, and the call's state with a hang-up while it runs. */
export function CallControls({ call, linkKbps }: { call: CallSession; linkKbps: number | null }) {
  const audio = useRef<HTMLAudioElement>(null);
  const { phase, stats } = call;
  const active = phase.state === 'calling' || phase.state === 'connected';
  return (
    <div
      class="call-controls"
      data-call={phase.state}
      data-video={String(call.video)}
      data-link-kbps={linkKbps ?? ''}
    >
      <audio ref={audio} autoplay />
      {active ? (
        <>
          <p class="call-state">
            {phase.state === 'calling' ? lt('callCalling') : lt('callConnected')} ·{' '}
            {call.video ? lt('callVideo') : lt('callAudioOnly')}
          </p>
          {stats ? (
            <p class="call-stats" data-inbound-bytes={stats.inboundAudioBytes} data-codec={stats.codec ?? ''}>
              {lt('callReceived', { kb: Math.round(stats.inboundAudioBytes / 1024) })}
            </p>
          ) : null}
          <button type="button" class="danger" onClick={() => call.hangUp()}>
            {lt('callHangUp')}
          </button>
        </>
      ) : (
        <>
          {phase.state === 'ended' ? (
            <p class="call-ended" data-ended={phase.how} title={phase.reason}>
              {lt('callEnded')}: {lt(END[phase.how])}
            </p>
          ) : null}
          <button type="button" onClick={() => audio.current && void call.start(audio.current, linkKbps)}>
            {lt('callButton')}
          </button>
        </>
      )}
    </div>
  );
}
