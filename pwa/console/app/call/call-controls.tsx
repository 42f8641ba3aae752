import { useRef } from 'preact/hooks';
import type { CallLinkWhy } from '../../../../runtime/link/live/call-policy.ts';
import { VIDEO_FROM_KBPS, callMedia } from '../../../../runtime/link/live/call-policy.ts';
import type { LiveSession } from '../live/live-session.ts';
import { lt, speedText } from '../live/live-text.ts';
import type { LiveKey } from '../live/live-text.ts';
import type { CallEnd, CallSession } from './call-session.ts';

const END: Readonly<Record<CallEnd, LiveKey>> = {
  local: 'endLocal',
  remote: 'endRemote',
  declined: 'endDeclined',
  unanswered: 'endUnanswered',
  failed: 'endFailed',
};

/** Why a call is (or will be) audio only, or that it has video, in words. */
function whyText(why: CallLinkWhy, kbps: number | null): string {
  if (why === 'wide') return lt('whyWide');
  if (why === 'unmeasured' || kbps === null) return lt('whyUnmeasured');
  return lt('whyNarrow', { speed: speedText(kbps), min: VIDEO_FROM_KBPS });
}

/** The measured link, as the live session has it (the probe's figure, or measuring, or none). */
function LinkLine({ live }: { live: LiveSession | null }) {
  const probe = live?.probe ?? null;
  const kbps = live?.callKbps ?? null;
  const up = live?.status.state === 'up';
  return (
    <p class="call-link" data-measured={kbps === null ? '' : String(kbps)}>
      {kbps !== null
        ? probe
          ? lt('linkMeasured', { speed: speedText(kbps), rtt: probe.rttMs })
          : lt('linkMeasuredKit', { speed: speedText(kbps) })
        : up
          ? lt('linkMeasuring')
          : lt('linkUnknown')}
    </p>
  );
}

/**
 * «Позвонить» in the case view, the measured link and what it allows (video, or audio only and
 * why), and the call's state with a hang-up while it runs; the tablet's picture when it has video.
 */
export function CallControls({ call, live }: { call: CallSession; live: LiveSession | null }) {
  const audio = useRef<HTMLAudioElement>(null);
  const video = useRef<HTMLVideoElement>(null);
  const { phase, stats } = call;
  const active = phase.state === 'calling' || phase.state === 'connected';
  const liveKbps = live?.callKbps ?? null;
  // While a call runs (or after it), what it was decided on; before, what a call would be now.
  const kbps = phase.state === 'idle' ? liveKbps : call.linkKbps;
  const why = phase.state === 'idle' ? callMedia(liveKbps).why : call.why;
  return (
    <div
      class="call-controls"
      data-call={phase.state}
      data-video={String(call.video)}
      data-link-kbps={kbps ?? ''}
      data-why={why}
    >
      <audio ref={audio} autoplay />
      <video
        ref={video}
        class="call-video"
        autoplay
        playsInline
        hidden={!(active && call.video)}
        data-testid="call-video"
      />
      <LinkLine live={live} />
      <p class="call-why">{whyText(why, kbps)}</p>
      {active ? (
        <>
          <p class="call-state">
            {phase.state === 'calling' ? lt('callCalling') : lt('callConnected')} ·{' '}
            {call.video ? lt('callVideo') : lt('callAudioOnly')}
          </p>
          {stats ? (
            <p
              class="call-stats"
              data-inbound-bytes={stats.inboundAudioBytes}
              data-codec={stats.codec ?? ''}
              data-frames-decoded={stats.framesDecoded}
            >
              {lt('callReceived', { kb: Math.round(stats.inboundAudioBytes / 1024) })}
              {stats.video
                ? `; ${lt('callFrames', { n: stats.framesDecoded, w: stats.frameWidth ?? 0, h: stats.frameHeight ?? 0 })}`
                : ''}
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
          <button
            type="button"
            onClick={() =>
              audio.current &&
              video.current &&
              void call.start({ audio: audio.current, video: video.current }, liveKbps)
            }
          >
            {lt('callButton')}
          </button>
        </>
      )}
    </div>
  );
}
