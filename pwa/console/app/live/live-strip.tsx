import { unitText, vitalName } from '../components/vitals-table.tsx';
import { clock } from '../format.ts';
import type { LiveReading, LiveSession } from './live-session.ts';
import { lt } from './live-text.ts';

function valueOf(r: LiveReading): string {
  if (r.parts.length > 0) return r.parts.map((v) => (v === null ? '—' : String(Math.round(v)))).join('/');
  return r.value === null ? '—' : r.value.toFixed(r.precision).replace('.', ',');
}

/** The live strip: the direct path's state, and the newest readings with their time. */
export function LiveStrip({ session }: { session: LiveSession }) {
  const { status, readings } = session;
  return (
    <div class="live-strip" data-live={status.state}>
      <h3>
        {lt('liveTitle')}{' '}
        {status.state === 'up' ? (
          <span class="on-air">{lt('liveOn')}</span>
        ) : (
          <span class={`live-off ${status.state}`} title={status.state === 'down' ? status.reason : ''}>
            {status.state === 'connecting' ? lt('liveConnecting') : lt('liveDown')}
          </span>
        )}
      </h3>
      {readings.length === 0 ? (
        <p class="empty">{lt('liveWaiting')}</p>
      ) : (
        <ul class="live-readings">
          {readings.map((r, i) => (
            <li key={r.id} class={i === 0 ? 'newest' : ''} data-code={r.code}>
              <span class="live-name" title={r.display}>
                {vitalName(r.code, r.display)}
              </span>
              <span class="live-value">
                {valueOf(r)} <small>{r.unit && r.unit !== '{score}' ? unitText(r.unit) : ''}</small>
              </span>
              <span class="live-time">{clock(Date.parse(r.at))}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
