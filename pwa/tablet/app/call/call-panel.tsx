import { useEffect, useRef, useState } from 'preact/hooks';
import { VIDEO_FROM_KBPS } from '../../../../runtime/link/live/call-policy.ts';
import { useApp } from '../state/context.ts';
import { callBus } from './call-bus.ts';
import type { TabletCallEnd } from './call-controller.ts';
import { TabletCall } from './call-controller.ts';
import { ct } from './call-text.ts';
import './call.css';

const END = {
  local: 'endLocal',
  remote: 'endRemote',
  taken: 'endTaken',
  declined: 'endDeclined',
  failed: 'endFailed',
} as const satisfies Record<TabletCallEnd, string>;

/** What an incoming call carries, and why it is audio only when it is (the link it was decided on). */
function kindText(video: boolean, linkKbps: number | null): string {
  if (video) return ct('withVideo');
  if (linkKbps === null) return ct('audioUnmeasured');
  if (linkKbps < VIDEO_FROM_KBPS)
    return ct('audioNarrow', { kbps: Math.round(linkKbps), min: VIDEO_FROM_KBPS });
  return ct('audioOnly');
}

/**
 * The incoming call (accept or decline) and the call in progress (hang up; the specialist's
 * picture when the call has video), over every screen.
 */
export function CallPanel() {
  const app = useApp();
  const [, bump] = useState(0);
  const audio = useRef<HTMLAudioElement>(null);
  const video = useRef<HTMLVideoElement>(null);
  const call = useRef<TabletCall | null>(null);
  call.current ??= new TabletCall(app.instrumentsApi, () => bump((n) => n + 1));
  useEffect(() => {
    const c = call.current!;
    // What rang before this panel loaded: replay the latest call's events in order.
    const recent = callBus.recent();
    const lastOffer = recent.map((e) => e.kind).lastIndexOf('offer');
    for (const e of lastOffer >= 0 ? recent.slice(lastOffer) : []) c.receive(e);
    return callBus.subscribe((e) => c.receive(e));
  }, []);
  const c = call.current;
  const p = c.phase;
  return (
    <div class={`call-panel ${p.state}`} data-testid="call-panel" data-call={p.state}>
      <audio ref={audio} autoplay />
      <video
        ref={video}
        class="call-video"
        data-testid="call-video"
        autoplay
        playsInline
        hidden={!((p.state === 'connecting' || p.state === 'connected') && p.video)}
      />
      {p.state === 'ringing' ? (
        <>
          <p class="call-title">{ct('incoming', { name: p.fromName })}</p>
          <p class="call-sub" data-testid="call-kind" data-link-kbps={p.linkKbps ?? ''}>
            {kindText(p.video, p.linkKbps)}
          </p>
          <div class="call-buttons">
            <button
              type="button"
              class="primary"
              data-testid="call-accept"
              onClick={() =>
                audio.current &&
                video.current &&
                void c.accept({ audio: audio.current, video: video.current })
              }
            >
              {ct('accept')}
            </button>
            <button type="button" class="danger" data-testid="call-decline" onClick={() => c.decline()}>
              {ct('decline')}
            </button>
          </div>
        </>
      ) : p.state === 'connecting' || p.state === 'connected' ? (
        <>
          <p class="call-title">
            {p.state === 'connecting'
              ? ct('connecting', { name: p.fromName })
              : ct('inCall', { name: p.fromName })}
          </p>
          <p class="call-sub" data-testid="call-kind" data-link-kbps={p.linkKbps ?? ''}>
            {kindText(p.video, p.linkKbps)}
          </p>
          {c.stats ? (
            <p
              class="call-sub"
              data-testid="call-stats"
              data-inbound-bytes={c.stats.inboundAudioBytes}
              data-codec={c.stats.codec ?? ''}
              data-frames-decoded={c.stats.framesDecoded}
            >
              {ct('received', { kb: Math.round(c.stats.inboundAudioBytes / 1024) })}
              {c.stats.video ? `; ${ct('frames', { n: c.stats.framesDecoded })}` : ''}
            </p>
          ) : null}
          <div class="call-buttons">
            <button type="button" class="danger" data-testid="call-hangup" onClick={() => c.hangUp()}>
              {ct('hangUp')}
            </button>
          </div>
        </>
      ) : p.state === 'ended' ? (
        <>
          <p class="call-title" data-testid="call-ended" data-ended={p.how} title={p.reason}>
            {ct('ended')}
          </p>
          <p class="call-sub">{ct(END[p.how])}</p>
          <div class="call-buttons">
            <button type="button" onClick={() => c.dismiss()}>
              {ct('close')}
            </button>
          </div>
        </>
      ) : null}
    </div>
  );
}
