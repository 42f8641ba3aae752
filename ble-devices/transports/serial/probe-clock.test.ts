import { describe, expect, it } from 'vitest';
import { ListeningClock, PROBE_MAX_STRETCH, PROBE_TICK_CREDIT_MS, PROBE_TICK_MS } from './probe.ts';

// The clock is driven by hand: `at` is the time its injected `now` reads.
function clockAt(windowMs: number) {
  let at = 1000;
  const clock = new ListeningClock(windowMs, () => at);
  return {
    clock,
    /** Moves time on by `ms` and ticks; true once the window is used up. */
    after: (ms: number) => {
      at += ms;
      return clock.tick();
    },
  };
}

describe("a probe's listening clock", () => {
  it('on time, the window is used up after the window of ticks', () => {
    const { clock, after } = clockAt(600);
    const ticks = 600 / PROBE_TICK_MS;
    for (let i = 1; i < ticks; i++) expect(after(PROBE_TICK_MS)).toBe(false);
    expect(after(PROBE_TICK_MS)).toBe(true);
    expect(clock.listenedMs).toBe(600);
  });

  it('a stall of the event loop longer than the window does not use it up', () => {
    // The kit was starved for 0.7 s: frames waited unread, so that is not 0.7 s of listening.
    const { clock, after } = clockAt(600);
    expect(after(700)).toBe(false);
    expect(clock.listenedMs).toBe(PROBE_TICK_CREDIT_MS);
    // Listening goes on once the kit runs again, for the rest of the window.
    let ticks = 0;
    while (!after(PROBE_TICK_MS)) ticks++;
    expect(ticks + 1).toBe((600 - PROBE_TICK_CREDIT_MS) / PROBE_TICK_MS);
  });

  it('however starved, a probe at one setting ends after a bounded wall time', () => {
    const { clock, after } = clockAt(2000);
    let wall = 0;
    let done = false;
    while (!done) {
      done = after(700);
      wall += 700;
    }
    expect(clock.listenedMs).toBeLessThan(2000);
    expect(wall).toBeGreaterThanOrEqual(2000 * PROBE_MAX_STRETCH);
    expect(wall).toBeLessThan(2000 * PROBE_MAX_STRETCH + 700);
  });
});
