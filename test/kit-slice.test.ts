import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../store/index.ts';
import { TEST_KDF } from '../store/testing.ts';
import { parseKitConfig } from '../runtime/config.ts';
import { startKit, type KitHandle } from '../runtime/kit.ts';
import { createLogger } from '../runtime/log.ts';
import type { WireObservation } from '../runtime/http/wire.ts';
import { KitClient, pairTablet } from './helpers/kit-client.ts';
import { cborNeedle, plaintextIn, textNeedles } from './helpers/plaintext.ts';
import { tempStores } from '../store/test-fixtures.ts';

const temp = tempStores();

const PASSPHRASE = 'correct horse battery staple 42';

/** The whole slice in one process: simulated instruments -> drivers -> pipeline -> real encrypted store -> real HTTP/SSE. */
describe('vertical slice: simulated instruments to the live page', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });

  async function boot(
    dir: string,
  ): Promise<{ kit: KitHandle; client: KitClient; token: string; close: () => Promise<void> }> {
    const store = await openStore({ path: dir, passphrase: PASSPHRASE, kdf: TEST_KDF });
    const config = parseKitConfig({
      dataDir: dir,
      http: { host: '127.0.0.1', port: 0 },
      sim: { oximeterRateHz: 10, bpIntervalMs: 1000 },
      utcOffsetMinutes: 180,
      logLevel: 'silent',
    });
    const kit = await startKit(config, store, createLogger('silent'), 'test');
    const client = new KitClient(kit.url, kit.caPem);
    const token = await pairTablet(client, store);
    const close = async (): Promise<void> => {
      await kit.stop();
      await store.close();
    };
    return { kit, client, token, close };
  }

  async function collect(
    { client, token }: { client: KitClient; token: string },
    until: (obs: WireObservation[]) => boolean,
  ): Promise<WireObservation[]> {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), 20_000);
    const seen: WireObservation[] = [];
    try {
      for await (const e of client.live(token, ac.signal)) {
        if (e.event === 'observations') seen.push(...(JSON.parse(e.data) as WireObservation[]));
        if (until(seen)) break;
      }
    } finally {
      clearTimeout(timer);
      ac.abort();
    }
    return seen;
  }

  it('streams committed SpO2, pulse and BP observations over SSE, each already readable from the store', async () => {
    const dir = temp.dir();
    const booted = await boot(dir);
    cleanups.push(booted.close);
    const seen = await collect(
      booted,
      (o) => o.some((x) => x.loinc === '85354-9') && o.some((x) => x.loinc === '2708-6'),
    );
    const spo2 = seen.find((o) => o.loinc === '2708-6')!;
    expect(spo2.unit).toBe('%');
    expect(spo2.value).toBeGreaterThanOrEqual(90);
    expect(spo2.deviceName).toBe('FK-SIM Oximeter');
    const bp = seen.find((o) => o.loinc === '85354-9')!;
    expect(bp.components.map((c) => c.loinc)).toEqual(['8480-6', '8462-4', '8478-0']);
    expect(bp.components[0]!.unit).toBe('mm[Hg]');
    // Announced means committed: every announced id is already in the store's recent list.
    const res = await booted.client.request('/api/observations?limit=500', { token: booted.token });
    const stored = res.json<WireObservation[]>();
    const ids = new Set(stored.map((o) => o.id));
    for (const o of seen) expect(ids.has(o.id)).toBe(true);
  });

  it('keeps readings across a restart and writes no value, device name or passphrase in plain text', async () => {
    const dir = temp.dir();
    const first = await boot(dir);
    const seen = await collect(first, (o) => o.length >= 20);
    await first.close();

    const second = await boot(dir);
    cleanups.push(second.close);
    // The token paired before the restart still works after it (tokens live in the store).
    const res = await second.client.request('/api/observations?limit=500', { token: first.token });
    const stored = res.json<WireObservation[]>();
    const ids = new Set(stored.map((o) => o.id));
    for (const o of seen) expect(ids.has(o.id)).toBe(true);
    await second.close();
    cleanups.pop();

    // Each text as UTF-8, UTF-16 and CBOR; the SpO2 value as the store's CBOR writes it (the
    // positional array of schema v2 and the map of v1), plus JSON; the reading's own timestamps.
    const spo2 = seen.find((o) => o.loinc === '2708-6' && o.value !== null)!;
    const value = { kind: 'quantity', value: spo2.value, precision: spo2.precision, unit: spo2.unit };
    const needles = [
      // The device id is the oximeter's BLE address behind the simulated BlueZ.
      ...[PASSPHRASE, 'FK-SIM Oximeter', spo2.deviceId, '2708-6', 'mm[Hg]'].flatMap(textNeedles),
      ...[spo2.recordedAt, spo2.effectiveAt, `"value":${spo2.value}`].flatMap(textNeedles),
      cborNeedle('SpO2 value, stored form', [0, spo2.value, spo2.precision, spo2.unit]),
      cborNeedle('SpO2 value, map form', value),
    ];
    expect(plaintextIn(dir, needles)).toEqual([]);
  });

  it('answers a bad query with a typed 400 and unknown API paths with 404', async () => {
    const dir = temp.dir();
    const { client, token, close } = await boot(dir);
    cleanups.push(close);
    const bad = await client.request('/api/observations?limit=-3', { token });
    expect(bad.status).toBe(400);
    expect(bad.json<{ error: string }>().error).toBe('bad_query');
    const missing = await client.request('/api/nothing', { token });
    expect(missing.status).toBe(404);
    const page = await client.request('/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<div id="app">');
  });
});
