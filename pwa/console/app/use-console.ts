import { createContext } from 'preact';
import { useContext, useEffect, useLayoutEffect, useState } from 'preact/hooks';
import type { ConsoleState } from './state.ts';

/** The console's state, provided once at the root. */
export const ConsoleContext = createContext<ConsoleState | null>(null);

/**
 * The console state; the calling component re-renders on every change.
 *
 * Subscribing in a plain effect (which Preact runs after the browser paints: a frame or ~35 ms
 * later) let a change told between the first render and the subscription reach no one: this is
 * how the console stayed at its loading screen for good after a reload whose IndexedDB read
 * finished first (issue 12). The subscription is made in the commit itself (a layout effect),
 * and the state's change count read at render is compared once subscribed: a change missed in
 * between renders again at once.
 */
export function useConsole(): ConsoleState {
  const state = useContext(ConsoleContext);
  if (!state) throw new Error('useConsole outside ConsoleContext');
  const [, bump] = useState(0);
  const seen = state.changes;
  useLayoutEffect(() => {
    const off = state.subscribe(() => bump((n) => n + 1));
    if (state.changes !== seen) bump((n) => n + 1);
    return off;
    // `seen` is the first render's count: only the gap before this subscription matters.
  }, [state]);
  return state;
}

/** The current time, refreshed every `everyMs` (deadlines count down on screen). */
export function useNow(everyMs = 15_000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
