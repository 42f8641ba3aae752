import { z } from 'zod';
import { HubError, bodyOf } from './hub-api.ts';

/** Largest answer of GET /api/cases (a few hundred bytes a consultation, thousands of them). */
const MAX_CASES_BYTES = 4 * 1024 * 1024;
const Address = z.string().min(1).max(64);
const Hex64 = z.string().regex(/^[0-9a-f]{64}$/);

/** A consultation as the hub's coordination knows it (no content: the hub cannot read it). */
export const HubCase = z.object({
  id: Hex64,
  to: Address,
  urgency: z.enum(['urgent', 'routine']),
  from: Address,
  arrivedAt: z.number().int(),
  dueAt: z.number().int(),
  overdueMs: z.number().int().nonnegative(),
  claim: z.object({ by: Address, at: z.number().int(), assignedBy: Address.optional() }).nullable(),
  candidates: z.array(Address).max(1000),
});
/** See {@link HubCase}. */
export type HubCase = z.infer<typeof HubCase>;

const CaseList = z.object({
  cases: z.array(HubCase).max(50_000),
  removed: z.array(Hex64).max(100_000).default([]),
  cursor: z.string().max(40).optional(),
  full: z.boolean().default(true),
});

/** The open consultations, or what changed in them since the cursor given (see {@link CasesApi.list}). */
export interface CaseChanges {
  readonly cases: readonly HubCase[];
  /** Ids that left the queue (answered, dismissed). */
  readonly removed: readonly string[];
  /** To ask with next time; undefined from a hub that does not give one. */
  readonly cursor: string | undefined;
  /** The whole list: replaces what the caller had. */
  readonly full: boolean;
}
const Refusal = z.object({
  error: z.string().max(40),
  by: Address.optional(),
  why: z.string().max(300).optional(),
});

/** What a claim-like request came to: done (the case now), or refused (taken by whom, or why). */
export type CaseOutcome =
  | { readonly ok: true; readonly case: HubCase }
  | { readonly ok: false; readonly error: string; readonly by?: string; readonly why?: string };

async function call(base: string, token: string, method: 'GET' | 'POST', path: string, body?: unknown) {
  try {
    return await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new HubError('unreachable', error instanceof Error ? error.message : String(error));
  }
}

async function json(res: Response, limit: number): Promise<unknown> {
  try {
    return JSON.parse(new TextDecoder().decode(await bodyOf(res, limit)));
  } catch (error) {
    if (error instanceof HubError) throw error;
    throw new HubError('bad_answer', 'not JSON');
  }
}

/**
 * The hub's coordination routes as the console calls them: the open consultations it may see
 * (a coordinator: all), and claim, release, answered, dismiss, assign. Answers are size-limited
 * and schema-checked; 401 is a typed error (the caller signs in again).
 */
export class CasesApi {
  constructor(readonly base = '') {}

  /**
   * Open consultations, urgent first then longest waiting; with `since` (the cursor of the last
   * answer), only those new or changed since and the ids that left, so polling a queue of a
   * thousand costs a few bytes when nothing moved. The hub may answer whole (`full`) anyway.
   */
  async list(token: string, since?: string): Promise<CaseChanges> {
    const path = since ? `/api/cases?since=${encodeURIComponent(since)}` : '/api/cases';
    const res = await call(this.base, token, 'GET', path);
    if (res.status === 401) throw new HubError('unauthorized', '/api/cases: 401');
    if (!res.ok) throw new HubError('bad_answer', `/api/cases: ${res.status}`);
    const parsed = CaseList.safeParse(await json(res, MAX_CASES_BYTES));
    if (!parsed.success) throw new HubError('bad_answer', '/api/cases: unexpected answer');
    const { cases, removed, cursor, full } = parsed.data;
    return { cases, removed, cursor, full };
  }

  /** Takes, gives back, closes or dismisses a consultation; or (a coordinator) assigns it. */
  async act(
    token: string,
    id: string,
    action: 'claim' | 'release' | 'answered' | 'dismiss' | 'assign',
    to?: string,
  ): Promise<CaseOutcome> {
    const path = `/api/cases/${encodeURIComponent(id)}/${action}`;
    const res = await call(this.base, token, 'POST', path, action === 'assign' ? { to } : undefined);
    if (res.status === 401) throw new HubError('unauthorized', `${path}: 401`);
    const body = await json(res, 64 * 1024);
    if (res.ok) {
      const parsed = HubCase.safeParse(body);
      if (!parsed.success) throw new HubError('bad_answer', `${path}: unexpected answer`);
      return { ok: true, case: parsed.data };
    }
    const refusal = Refusal.safeParse(body);
    if (!refusal.success) throw new HubError('bad_answer', `${path}: ${res.status}`);
    return {
      ok: false,
      error: refusal.data.error,
      ...(refusal.data.by ? { by: refusal.data.by } : {}),
      ...(refusal.data.why ? { why: refusal.data.why } : {}),
    };
  }
}
