import { useEffect, useState } from 'preact/hooks';
import { Lazy } from '../components/lazy.tsx';
import { callBus } from './call-bus.ts';

const loadPanel = () => import('./call-panel.tsx').then((m) => m.CallPanel);

/** Mounts the call panel (loaded on demand) once a specialist's call first rings. */
export function CallHost() {
  const [rang, setRang] = useState(() => callBus.recent().some((e) => e.kind === 'offer'));
  useEffect(
    () =>
      callBus.subscribe((e) => {
        if (e.kind === 'offer') setRang(true);
      }),
    [],
  );
  return rang ? <Lazy load={loadPanel} props={{}} /> : null;
}
