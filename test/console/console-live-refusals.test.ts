import { describe, expect, it } from 'vitest';
import { verifyDirectory } from '../../crypto/directory.ts';
import { decryptEnvelope } from '../../crypto/envelope.ts';
import { itemSignatureValid, parseSignedItem } from '../../crypto/signed-item.ts';
import { decodeWire } from '../../crypto/wire-cbor.ts';
import type { WireObservation } from '../../runtime/http/wire.ts';
import { createMemoryPair } from '../../runtime/link/carriers/memory.ts';
import type { CarrierConnection } from '../../runtime/link/carrier.ts';
import type { LiveToConsole, LiveToKit } from '../../runtime/link/live/live-wire.ts';
import {
  LIVE_QUIET_MS,
  LiveToConsole as LiveToConsoleSchema,
  decodeLive,
  encodeLive,
  watchSigned,
} from '../../runtime/link/live/live-wire.ts';
import { LiveVitals } from '../../runtime/link/live/live-vitals.ts';
import type { TestDevice } from '../helpers/link-world.ts';
import { testDevice, testDirectory, testOrg } from '../helpers/link-world.ts';

const C1 = 'a1'.repeat(16);
const SESSION = 'live:0b7c6a52-3f5e-4d8e-9a1b-2c3d4e5f6a7b';

function observation(id: string, visitId: string, value: number): WireObservation {
  return {
    id,
    loinc: '2708-6',
    display: 'Oxygen saturation in Arterial blood',
    mdc: null,
    value,
    unit: '%',
    precision: 0,
    absentReason: null,
    components: [],
    status: 'final',
    effectiveAt: new Date().toISOString(),
    recordedAt: new Date().toISOString(),
    deviceId: 'sim-oximeter',
    deviceName: 'FK-SIM Oximeter',
    visitId,
  };
}

/** The kit's live service on one end of a real in-process carrier, the console's end returned. */
async function world() {
  const org = await testOrg();
  const kit = await testDevice();
  const ivanova = await testDevice();
  const petrov = await testDevice();
  const stranger = await testDevice();
  const dirBytes = await testDirectory(org, [
    {
      id: 'kit-01',
      role: 'kit',
      name: 'Бригада 1',
      devices: [{ key: kit.signer.publicKey, box: kit.opener.sealingKey }],
    },
    {
      id: 'spec-ivanova',
      role: 'specialist',
      name: 'Иванова А. П.',
      devices: [{ key: ivanova.signer.publicKey, box: ivanova.opener.sealingKey }],
    },
    {
      id: 'spec-petrov',
      role: 'specialist',
      name: 'Петров И. И.',
      devices: [{ key: petrov.signer.publicKey, box: petrov.opener.sealingKey }],
    },
  ]);
  const dir = await verifyDirectory(dirBytes, org.publicKey);
  const listeners = new Set<(r: readonly WireObservation[]) => void>();
  const vitals = new LiveVitals({
    directory: () => dir,
    me: () => 'kit-01',
    signer: kit.signer,
    visitOf: (id) => (id === C1 ? { visitId: 'visit-1', to: 'spec-ivanova' } : undefined),
    onObservations: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    linkKbps: () => 128,
  });
  const publish = (records: readonly WireObservation[]): void => {
    for (const l of [...listeners]) l(records);
  };
  /** Opens a channel as `who` (identity, device) and returns the console's end with its inbox. */
  const open = (identity: string, device: TestDevice) => {
    const pair = createMemoryPair({
      a: { signingKey: kit.signer.publicKey, identity: 'kit-01' },
      b: { signingKey: device.signer.publicKey, identity },
    });
    vitals.serve(pair.a, SESSION);
    const inbox: LiveToConsole[] = [];
    pair.b.onFrame((f) => {
      const m = decodeLive(LiveToConsoleSchema, f);
      if (m.t !== 'beat') inbox.push(m);
    });
    return { conn: pair.b, inbox };
  };
  return { vitals, publish, open, ivanova, petrov, stranger, kit, listeners };
}

async function watch(conn: CarrierConnection, device: TestDevice, consultation = C1, session = SESSION) {
  const at = Date.now();
  const sig = await device.signer.sign(watchSigned(consultation, session, at));
  const msg: LiveToKit = { t: 'watch', consultation, at, sig };
  conn.send(encodeLive(msg));
}

/** The detail of a refusal ('' when the message is something else). */
function refusal(m: LiveToConsole | undefined): string {
  return m?.t === 'refused' ? m.detail : '';
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('not in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

// The kit's live service (runtime/link/live/live-vitals.ts) on a real in-process carrier with real
// keys and a real signed directory: who may watch which visit, and what it then receives.
describe('live vitals on the kit: who may watch, and what is sent', () => {
  it('streams the consultation visit’s readings, sealed to the specialist and signed by the kit', async () => {
    const w = await world();
    const { conn, inbox } = w.open('spec-ivanova', w.ivanova);
    await watch(conn, w.ivanova);
    await until(() => inbox.some((m) => m.t === 'watching'));
    expect(inbox[0]).toEqual({ t: 'watching', consultation: C1, linkKbps: 128 });
    w.publish([observation('o-other', 'visit-2', 91), observation('o-1', 'visit-1', 96)]);
    await until(() => inbox.some((m) => m.t === 'vital'));
    await new Promise((r) => setTimeout(r, 100));
    const vitals = inbox.filter((m): m is Extract<LiveToConsole, { t: 'vital' }> => m.t === 'vital');
    expect(vitals).toHaveLength(1); // the other visit's reading is not sent
    const d = await decryptEnvelope(vitals[0]!.env, [w.ivanova.opener]);
    const fields = parseSignedItem(d.signed);
    expect(await itemSignatureValid(d.signed, d.signature, fields.key)).toBe(true);
    expect(fields).toMatchObject({ kind: 'vitals', from: 'kit-01', to: 'spec-ivanova', ref: C1 });
    expect(Buffer.from(fields.key).equals(Buffer.from(w.kit.signer.publicKey))).toBe(true);
    const body = decodeWire(fields.body);
    expect(body.ok && (body.value as { id: string; value: number })).toMatchObject({ id: 'o-1', value: 96 });
    // Another specialist cannot open it.
    await expect(decryptEnvelope(vitals[0]!.env, [w.petrov.opener])).rejects.toThrow();
    conn.close('done');
    await until(() => w.listeners.size === 0);
  });

  it('refuses a watch signed for another session, by another specialist, or by an unknown device', async () => {
    const w = await world();
    const bad = w.open('spec-ivanova', w.ivanova);
    await watch(bad.conn, w.ivanova, C1, 'live:another-session-0000');
    await until(() => bad.inbox.length > 0);
    expect(refusal(bad.inbox[0])).toMatch(/signature/);

    const other = w.open('spec-petrov', w.petrov);
    await watch(other.conn, w.petrov);
    await until(() => other.inbox.length > 0);
    expect(refusal(other.inbox[0])).toMatch(/no consultation/);

    const unknown = w.open('spec-ivanova', w.stranger);
    await watch(unknown.conn, w.stranger);
    await until(() => unknown.inbox.length > 0);
    expect(refusal(unknown.inbox[0])).toMatch(/no such specialist/);

    const unknownCase = w.open('spec-ivanova', w.ivanova);
    await watch(unknownCase.conn, w.ivanova, 'b2'.repeat(16));
    await until(() => unknownCase.inbox.length > 0);
    expect(unknownCase.inbox[0]).toMatchObject({ t: 'refused' });

    // None of them receives a reading.
    w.publish([observation('o-2', 'visit-1', 95)]);
    await new Promise((r) => setTimeout(r, 200));
    for (const c of [bad, other, unknown, unknownCase])
      expect(c.inbox.some((m) => m.t === 'vital')).toBe(false);
    expect(w.listeners.size).toBe(0);
    w.vitals.stop();
  });

  it(
    'closes a channel on a malformed message, and one that falls silent',
    async () => {
      const w = await world();
      const garbage = w.open('spec-ivanova', w.ivanova);
      const closed = new Promise<string>((r) => garbage.conn.onClose((i) => r(i.reason)));
      garbage.conn.send(new Uint8Array([0xff, 0x00, 0x13, 0x37]));
      expect(await closed).toMatch(/protocol/);

      const quiet = w.open('spec-ivanova', w.ivanova);
      await watch(quiet.conn, w.ivanova);
      const silent = new Promise<string>((r) => quiet.conn.onClose((i) => r(i.reason)));
      expect(await silent).toMatch(/no message/);
      expect(w.vitals.open).toBe(0);
    },
    LIVE_QUIET_MS * 4,
  );
});
