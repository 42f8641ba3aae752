import { afterEach, describe, expect, it } from 'vitest';
import { heartRateMeasurement } from '../../ble-devices/codecs/heart-rate.ts';
import { pmdRequest, pmdResponse } from '../../ble-devices/codecs/polar-pmd/pmd-control-point.ts';
import { pmdEcgFrame } from '../../ble-devices/codecs/polar-pmd/pmd-ecg-frame.ts';
import { PMD_CONTROL_POINT, PMD_DATA, PMD_SERVICE } from '../../ble-devices/codecs/polar-pmd/pmd-tables.ts';
import { asDeviceId } from '../../ble-devices/transport.ts';
import { SimTransport } from '../transport/sim-transport.ts';
import { EcgSynth } from './ecg-synth.ts';
import { createSimPolarH10 } from './polar-h10.ts';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (stops.length > 0) await stops.pop()!();
});

describe('simulated Polar H10', () => {
  it('synthesises beats at the set heart rate with P-QRS-T shape', () => {
    const synth = new EcgSynth({ rateHz: 130, heartRateBpm: 75, seed: 2 });
    const v = Array.from({ length: 130 * 60 }, () => synth.next());
    let beats = 0;
    for (let i = 1; i < v.length - 1; i++)
      if (v[i]! > 600 && v[i]! >= v[i - 1]! && v[i]! > v[i + 1]!) beats++;
    expect(beats).toBeGreaterThanOrEqual(73);
    expect(beats).toBeLessThanOrEqual(77);
    expect(Math.max(...v)).toBeLessThan(2000);
    expect(Math.min(...v)).toBeGreaterThan(-800);
  });

  it('answers the control point with spec bytes and reports lead-off on ECG and heart rate', async () => {
    const sim = createSimPolarH10({ id: 'h10', timeScale: 20, leadOff: [{ atS: 2, forS: 3 }] });
    const transport = new SimTransport([sim.peripheral]);
    stops.push(async () => {
      sim.stop();
      await transport.close();
    });
    const conn = await transport.connect(asDeviceId('h10'));
    const cp: number[][] = [];
    const samples: number[] = [];
    const contact: string[] = [];
    await conn.subscribe(PMD_SERVICE, PMD_CONTROL_POINT, 'indicate', (v) => cp.push([...v]));
    await conn.subscribe(PMD_SERVICE, PMD_DATA, 'notify', (v) =>
      samples.push(...pmdEcgFrame.decode(v).samples),
    );
    await conn.subscribe('180d', '2a37', 'notify', (v) =>
      contact.push(heartRateMeasurement.decode(v).sensorContact),
    );
    const send = (bytes: Uint8Array) => conn.write(PMD_SERVICE, PMD_CONTROL_POINT, bytes);
    await send(
      pmdRequest.encode({
        op: 'get_measurement_settings',
        measurementType: 0,
        recording: 'online',
        settings: [],
      }),
    );
    // Wrong sample rate: refused with invalid_sample_rate (8), as the SDK's status table names it.
    await send(
      pmdRequest.encode({
        op: 'request_measurement_start',
        measurementType: 0,
        recording: 'online',
        settings: [
          { type: 'sample_rate', values: [500] },
          { type: 'resolution', values: [14] },
        ],
      }),
    );
    await send(Uint8Array.of(0x02, 0x00, 0x00, 0x01, 0x82, 0x00, 0x01, 0x01, 0x0e, 0x00));
    const end = Date.now() + 5000;
    while (samples.length < 130 * 7 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(cp.map((b) => Buffer.from(b).toString('hex'))).toEqual([
      'f0010000000001820001010e00',
      'f002000800',
      'f002000000',
    ]);
    expect(pmdResponse.decode(Uint8Array.from(cp[1]!))).toMatchObject({ status: 8 });
    expect(Math.max(...samples.slice(0, 2 * 130).map(Math.abs))).toBeLessThan(2000);
    expect(Math.max(...samples.slice(3 * 130, 5 * 130).map(Math.abs))).toBeGreaterThan(10_000);
    expect(contact.slice(0, 2)).toEqual(['detected', 'supported_not_detected']);
    expect(contact).toContain('supported_not_detected');
    expect(contact[contact.length - 1]).toBe('detected');
  });
});
