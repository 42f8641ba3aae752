import { describe, expect, it } from 'vitest';
import type { WireEntry, WireVisitView } from '../../../../runtime/http/api/wire-types.ts';
import type { QueueItem } from '../db/schema.ts';
import { applyVisitChange, currentComplaints, displayEntries, visitObservations } from './visit-model.ts';

const view: WireVisitView = {
  visit: {
    id: 'v-1',
    patientId: null,
    reason: null,
    place: null,
    openedAt: 'x',
    closedAt: null,
    status: 'open',
  },
  patient: null,
  entries: [],
  answers: [],
  damaged: [],
};
const entry = (
  id: string,
  clientId: string,
  kind: WireEntry['kind'],
  text: string | null = null,
): WireEntry => ({
  id,
  clientId,
  visitId: 'v-1',
  kind,
  author: 'tablet',
  enteredAt: '2026-05-01T10:00:00Z',
  recordedAt: '2026-05-01T10:00:01Z',
  text,
  observation: null,
  attachment: null,
  consultation: null,
});
const queued = (clientId: string, body: object, state: QueueItem['state'] = 'pending'): QueueItem => ({
  clientId,
  seq: 1,
  kind: 'entry',
  visitId: 'v-1',
  createdAt: 'x',
  body: { clientId, enteredAt: '2026-05-01T10:05:00Z', ...body },
  state,
  attempts: 0,
});

describe('visit model', () => {
  it('shows each entry once: from the kit when it has it, else from the tablet', () => {
    let v = applyVisitChange(view, {
      kind: 'entry',
      visitId: 'v-1',
      entry: entry('e-1', 'c-1', 'note', 'a'),
    });
    v = applyVisitChange(v, { kind: 'entry', visitId: 'v-1', entry: entry('e-1', 'c-1', 'note', 'a') });
    v = applyVisitChange(v, {
      kind: 'entry',
      visitId: 'v-2',
      entry: entry('e-9', 'c-9', 'note', 'other visit'),
    });
    const shown = displayEntries(
      v,
      [queued('c-1', { kind: 'note', text: 'a' }, 'sent'), queued('c-2', { kind: 'note', text: 'b' })],
      null,
    );
    expect(shown.map((e) => [e.clientId, e.place])).toEqual([
      ['c-1', 'kit'],
      ['c-2', 'tablet'],
    ]);
  });

  it('counts manual vitals still on the tablet for NEWS2, but not refused ones', () => {
    const shown = displayEntries(
      view,
      [
        queued('c-rr', { kind: 'manual', measure: { type: 'respiration-rate', value: 26 } }),
        queued('c-bad', { kind: 'manual', measure: { type: 'temperature', value: 39.5 } }, 'refused'),
      ],
      null,
    );
    expect(visitObservations(shown).map((o) => [o.loinc, o.value])).toEqual([['9279-1', 26]]);
  });

  it('takes the latest complaints text', () => {
    const v = {
      ...view,
      entries: [
        entry('e-1', 'c-1', 'complaints', 'кашель'),
        entry('e-2', 'c-2', 'complaints', 'кашель, жар'),
      ],
    };
    expect(currentComplaints(displayEntries(v, [], null))).toBe('кашель, жар');
  });
});
