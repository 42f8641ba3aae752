import { describe, expect, it } from 'vitest';
import { openStore } from '../index.ts';
import { tempStores } from '../test-fixtures.ts';
import { TEST_KDF, sampleObservation } from '../testing.ts';

const temp = tempStores();
const stores = () => temp.open();
const dirs = () => temp.dir();
const at = '2026-05-01T10:00:00.000Z';

function manualRr(visitId: string, patientId: string, value: number) {
  return {
    ...sampleObservation(0, visitId, patientId),
    code: { loinc: '9279-1', display: 'Respiratory rate' },
    value: { kind: 'quantity' as const, value, precision: 0, unit: '/min' },
    provenance: {
      deviceId: 'tablet:A',
      characteristic: 'manual',
      codec: 'manual-entry',
      codecVersion: '1',
      raw: new TextEncoder().encode(String(value)),
    },
  };
}

describe('visit journal and client ids', () => {
  it('stores a resent patient, visit, note and manual entry once, even when resends share a commit', async () => {
    const store = await stores();
    const patientInput = { familyName: 'Иванова', givenName: 'Мария' };
    const [p1, p2] = await Promise.all([
      store.addPatient(patientInput, 'client-patient-1'),
      store.addPatient(patientInput, 'client-patient-1'),
    ]);
    expect(p2.id).toBe(p1.id);
    expect(await store.findPatientsByNamePrefix('Ива')).toHaveLength(1);
    const [v1, v2] = await Promise.all([
      store.openVisit({ patientId: p1.id }, 'client-visit-1'),
      store.openVisit({ patientId: p1.id }, 'client-visit-1'),
    ]);
    expect(v2.id).toBe(v1.id);
    expect(await store.visitsByPatient(p1.id)).toHaveLength(1);

    const note = {
      visitId: v1.id,
      clientId: 'client-note-1',
      author: 'tablet A',
      enteredAt: at,
      kind: 'note' as const,
      text: 'Кашель три дня',
    };
    const writes = await Promise.all([store.addVisitEntry(note), store.addVisitEntry(note)]);
    expect(writes.map((w) => w.created).sort()).toEqual([false, true]);
    const again = await store.addVisitEntry(note);
    expect(again).toMatchObject({ created: false, entry: { id: writes[0].entry.id } });

    const manual = {
      visitId: v1.id,
      clientId: 'client-rr-1',
      author: 'tablet A',
      enteredAt: at,
      kind: 'manual' as const,
    };
    const m1 = await store.addVisitEntry(manual, manualRr(v1.id, p1.id, 22));
    const m2 = await store.addVisitEntry(manual, manualRr(v1.id, p1.id, 22));
    expect(m1.created).toBe(true);
    expect(m2).toMatchObject({ created: false, observation: { id: m1.observation!.id } });
    const obs = await store.observationsByVisit(v1.id);
    expect(obs.map((o) => o.code.loinc)).toEqual(['9279-1']);
    expect((await store.visitEntries(v1.id)).map((e) => e.kind)).toEqual(['note', 'manual']);
  });

  it('keeps a live reading in a visit once, however many tablets tap it', async () => {
    const store = await stores();
    const visit = await store.openVisit({ patientId: null });
    const [live] = await store.addObservations([sampleObservation(1, null, null)]);
    const keep = (clientId: string) =>
      store.addVisitEntry({
        visitId: visit.id,
        clientId,
        author: 't',
        enteredAt: at,
        kind: 'keep',
        observationId: live!.id,
      });
    const a = await keep('keep-tablet-a');
    const b = await keep('keep-tablet-b');
    expect(a.created).toBe(true);
    expect(b).toMatchObject({ created: false, entry: { id: a.entry.id } });
    expect(await store.visitEntries(visit.id)).toHaveLength(1);
  });

  it('refuses entries that name a missing visit, reading or attachment, or lack their content', async () => {
    const store = await stores();
    const visit = await store.openVisit({ patientId: null });
    const base = { clientId: 'client-bad-1', author: 't', enteredAt: at };
    await expect(
      store.addVisitEntry({ ...base, visitId: 'v-00000000000000ff', kind: 'note', text: 'x' }),
    ).rejects.toMatchObject({ code: 'not_found' });
    await expect(
      store.addVisitEntry({ ...base, visitId: visit.id, kind: 'keep', observationId: 'o-00000000000000ff' }),
    ).rejects.toMatchObject({ code: 'not_found' });
    await expect(
      store.addVisitEntry({ ...base, visitId: visit.id, kind: 'note', text: '   ' }),
    ).rejects.toMatchObject({ code: 'invalid_record' });
    await expect(
      store.addVisitEntry({ ...base, clientId: 'x', visitId: visit.id, kind: 'note', text: 'a' }),
    ).rejects.toMatchObject({ code: 'invalid_record' });
    expect(await store.visitEntries(visit.id)).toEqual([]);
  });

  it('queues a consultation request on the outbox by urgency with its journal entry, once, across a reopen', async () => {
    const dir = dirs();
    let store = await openStore({ path: dir, passphrase: 'pw', kdf: TEST_KDF });
    const patient = await store.addPatient({ familyName: 'Петров' });
    const visit = await store.openVisit({ patientId: patient.id });
    await store.enqueueOutbox({ priority: 'routine', kind: 'other', payload: Uint8Array.of(1) });
    const request = {
      visitId: visit.id,
      patientId: patient.id,
      clientId: 'client-consult-1',
      author: 'tablet A',
      enteredAt: at,
      question: 'Одышка, SpO2 91 %. Госпитализировать?',
      specialty: 'cardiology',
      urgency: 'urgent' as const,
    };
    const first = await store.createConsultation(request);
    expect(first.created).toBe(true);
    expect(first.outbox?.priority).toBe('urgent');
    expect((await store.peekOutbox())[0]!.id).toBe(first.outbox!.id);
    await store.close();
    store = await openStore({ path: dir, passphrase: 'pw' });
    const second = await store.createConsultation(request);
    expect(second).toMatchObject({ created: false, consultation: { id: first.consultation.id } });
    expect(await store.outboxSize()).toBe(2);
    expect(await store.consultationsByVisit(visit.id)).toHaveLength(1);
    expect((await store.visitEntries(visit.id)).map((e) => e.consultationId)).toEqual([
      first.consultation.id,
    ]);
    expect(await store.outboxItem(first.outbox!.id)).not.toBeNull();
    await store.ackOutbox(first.outbox!.id);
    expect(await store.outboxItem(first.outbox!.id)).toBeNull();
    await expect(
      store.createConsultation({ ...request, clientId: 'client-consult-2', patientId: null }),
    ).rejects.toMatchObject({ code: 'invalid_record' });
    await store.close();
  });

  it('stores a resent upload once and reads none of the resent bytes', async () => {
    const store = await stores();
    const meta = { kind: 'photo' as const, mediaType: 'image/jpeg', visitId: null };
    const a = await store.putBlob(meta, [Uint8Array.of(1, 2, 3)], 'client-photo-1');
    let read = false;
    const b = await store.putBlob(
      meta,
      (function* () {
        read = true;
        yield Uint8Array.of(9);
      })(),
      'client-photo-1',
    );
    expect(b.id).toBe(a.id);
    expect(read).toBe(false);
  });
});
