import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

const loaded = new Map<unknown, ComponentType<never>>();

/** Renders a screen loaded on demand (its chunk is in the service worker's precache). */
export function Lazy<P extends object>({ load, props }: { load: () => Promise<ComponentType<P>>; props: P }) {
  const [Screen, setScreen] = useState<ComponentType<P> | undefined>(
    () => loaded.get(load) as ComponentType<P> | undefined,
  );
  useEffect(() => {
    if (Screen) return;
    let live = true;
    void load().then((c) => {
      loaded.set(load, c as ComponentType<never>);
      if (live) setScreen(() => c);
    });
    return () => {
      live = false;
    };
  }, [load, Screen]);
  return Screen ? <Screen {...props} /> : <p class="loading">…</p>;
}
