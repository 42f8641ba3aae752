import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../runtime/cli/main.ts';
import { openStore } from '../store/index.ts';
import { TEST_KDF, tempDir } from '../store/testing.ts';
import { memoryIo } from './helpers/memory-io.ts';
import { lockHolder } from './kit-lock-process.ts';

const t = tempDir('fieldkit-instruments-cli-');
afterAll(() => t.cleanup());
const env = { FIELDKIT_PASSPHRASE: 'cli-pass', FIELDKIT_DATA: t.dir };

describe('fieldkit instruments', () => {
  it('lists remembered instruments as a table or JSON, and forgets one (not under a running kit)', async () => {
    const store = await openStore({ path: t.dir, passphrase: 'cli-pass', kdf: TEST_KDF });
    const meter = await store.rememberInstrument({
      address: 'C4:7C:8D:6A:11:22',
      transport: 'node-ble',
      name: 'Accu-Chek Guide',
      profile: 'glucose',
      serial: 'GLU-0042',
      model: 'Guide 929',
      bonded: true,
    });
    await store.updateInstrument(meter.id, { lastSequence: 500, battery: 64 });
    await store.rememberInstrument({
      address: 'sim-bp-1',
      transport: 'sim',
      name: 'Тонометр',
      profile: 'blood-pressure',
    });
    await store.close();

    const list = memoryIo(env);
    expect(await main(['instruments', 'list'], list)).toBe(0);
    const lines = list.out().trim().split('\n');
    expect(lines[0]).toMatch(/^ADDRESS\s+PROFILE\s+NAME/);
    expect(lines[1]).toMatch(
      /C4:7C:8D:6A:11:22\s+glucose\s+Accu-Chek Guide\s+Guide 929\s+GLU-0042\s+-\s+yes\s+64%\s+500/,
    );
    expect(lines[2]).toMatch(/sim-bp-1\s+blood-pressure\s+Тонометр/);

    const json = memoryIo(env);
    expect(await main(['instruments', 'list', '--json'], json)).toBe(0);
    const parsed = JSON.parse(json.out()) as Array<Record<string, unknown>>;
    expect(parsed.map((r) => r.address)).toEqual(['C4:7C:8D:6A:11:22', 'sim-bp-1']);
    expect(parsed[0]).not.toHaveProperty('recentReadings');

    // A running kit (another process holding kit.pid) forgets through its own manager.
    const kit = lockHolder(t.dir);
    expect(await kit.outcome).toBe('held');
    const refused = memoryIo(env);
    expect(await main(['instruments', 'forget', 'C4:7C:8D:6A:11:22'], refused)).toBe(1);
    expect(refused.err()).toMatch(/stop the kit first\. Or forget the instrument from the tablet/);
    await kit.kill();

    const forget = memoryIo(env);
    expect(await main(['instruments', 'forget', 'C4:7C:8D:6A:11:22'], forget)).toBe(0);
    expect(forget.out()).toMatch(/forgot C4:7C:8D:6A:11:22 \(glucose/);
    expect(forget.out()).toMatch(/bluetoothctl remove C4:7C:8D:6A:11:22/);
    const again = memoryIo(env);
    expect(await main(['instruments', 'forget', 'C4:7C:8D:6A:11:22'], again)).toBe(1);
    expect(again.err()).toMatch(/no remembered instrument/);

    expect(await main(['instruments', 'pet'], memoryIo(env))).toBe(2);
    expect(await main(['instruments', 'forget'], memoryIo(env))).toBe(2);
  });
});

describe('fieldkit sim for stored-record instruments', () => {
  it('downloads a simulated glucose memory through RACP and prints the records and the final answer', async () => {
    const io = memoryIo();
    expect(await main(['sim', 'glucose', '--records', '6', '--clock', '2019'], io)).toBe(0);
    const frames = io
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { codec: string; hex: string; decoded: Record<string, unknown> });
    const records = frames.filter((f) => f.codec === 'glucose_measurement');
    expect(records.map((f) => f.decoded.sequence_number)).toEqual([1, 2, 3, 4, 5, 6]);
    expect((records[0]!.decoded.base_time as { year: number }).year).toBe(2019);
    expect(frames.filter((f) => f.codec === 'glucose_measurement_context')).toHaveLength(1);
    expect(frames.at(-1)).toMatchObject({ codec: 'record_access_control_point', hex: '06 00 01 01' });
  });

  it('shows the link dropping in the middle of the RACP transfer, and refuses bad options', async () => {
    const io = memoryIo();
    expect(await main(['sim', 'glucose', '--records', '20', '--racp-drop-after', '3'], io)).toBe(0);
    expect(io.out()).toMatch(/"event":"link-lost","reason":"simulated link loss during a RACP transfer"/);
    expect(await main(['sim', 'glucose', '--clock', '1980'], memoryIo())).toBe(2);
    expect(await main(['sim', 'bp', '--resend', 'some'], memoryIo())).toBe(2);
  });

  it('prints a thermometer, a scale and a heart-rate strap', async () => {
    for (const kind of ['thermometer', 'scale', 'heart-rate']) {
      const io = memoryIo();
      expect(await main(['sim', kind, '--count', '2', '--rate', '20'], io)).toBe(0);
      expect(io.out().trim().split('\n')).toHaveLength(2);
      expect(io.out()).not.toMatch(/"error"/);
    }
  });
});
