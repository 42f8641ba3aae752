import { seededRandom } from '../random.ts';
import type { NetLink } from './net-link.ts';

/** One planned outage. */
export interface PlannedCut {
  /** Link-up time before this cut, ms. */
  readonly upMs: number;
  /** Length of the cut, ms. */
  readonly downMs: number;
}

/** Options of {@link planCuts}. */
export interface CutPlanOptions {
  readonly count: number;
  readonly minDownMs: number;
  readonly maxDownMs: number;
  readonly minUpMs: number;
  readonly maxUpMs: number;
  readonly seed: number;
}

/** A seeded list of cuts (the same seed gives the same bad day). */
export function planCuts(o: CutPlanOptions): PlannedCut[] {
  const random = seededRandom(o.seed);
  const between = (lo: number, hi: number): number => Math.round(lo + random() * (hi - lo));
  return Array.from({ length: o.count }, () => ({
    upMs: between(o.minUpMs, o.maxUpMs),
    downMs: between(o.minDownMs, o.maxDownMs),
  }));
}

/** What a running schedule reports. */
export type CutEvent = { readonly type: 'cut' | 'heal'; readonly index: number; readonly at: number };

/**
 * Plays a cut plan on a link until it ends or `signal` aborts (the link is healed either way).
 * Resolves when done.
 */
export async function playCuts(
  link: Pick<NetLink, 'cut' | 'heal'>,
  plan: readonly PlannedCut[],
  options: { signal?: AbortSignal; onEvent?: (e: CutEvent) => void } = {},
): Promise<void> {
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      options.signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  try {
    for (const [index, c] of plan.entries()) {
      await sleep(c.upMs);
      if (options.signal?.aborted) return;
      await link.cut();
      options.onEvent?.({ type: 'cut', index, at: Date.now() });
      await sleep(c.downMs);
      await link.heal();
      options.onEvent?.({ type: 'heal', index, at: Date.now() });
      if (options.signal?.aborted) return;
    }
  } finally {
    await link.heal();
  }
}
