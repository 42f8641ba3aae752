import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { ConsoleState } from './state.ts';

/** The console's state, provided once at the root. */
export const ConsoleContext = createContext<ConsoleState | null>(null);

/** The console state; the calling component re-renders on every change. */
export function useConsole(): ConsoleState {
  const state = useContext(ConsoleContext);
  if (!state) throw new Error('useConsole outside ConsoleContext');
  const [, bump] = useState(0);
  useEffect(() => state.subscribe(() => bump((n) => n + 1)), [state]);
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
