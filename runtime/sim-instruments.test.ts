import { describe, expect, it } from 'vitest';
import { parseKitConfig } from './config.ts';
import { createLogger } from './log.ts';
import { startSimulatedInstruments } from './sim-instruments.ts';

function logged(): { log: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  return { log: createLogger('info', { write: (l: string) => void lines.push(l) }), lines };
}

const config = parseKitConfig({ dataDir: '.', http: {}, sim: {}, utcOffsetMinutes: 0 });

describe('the simulated instruments of npm start', () => {
  it('run behind a simulated BlueZ reached through node-ble', async () => {
    const { log, lines } = logged();
    const sim = await startSimulatedInstruments(config, log);
    try {
      expect(sim.transport.kind).toBe('node-ble');
      expect(sim.via).toMatch(/^a simulated BlueZ through node-ble \(DBUS_SYSTEM_BUS_ADDRESS=unix:path=/);
      const found = await sim.transport.scan({ timeoutMs: sim.scanTimeoutMs });
      expect(found.map((d) => d.name).sort()).toEqual(['FK-SIM BP Monitor', 'FK-SIM Oximeter']);
      expect(lines.join('')).toMatch(/simulated instruments behind a simulated BlueZ/);
    } finally {
      await sim.stop();
    }
  });

  it('fall back to SimTransport, and say so, where dbus-daemon is missing', async () => {
    const { log, lines } = logged();
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent-bin';
    try {
      const sim = await startSimulatedInstruments(config, log);
      expect(sim.transport.kind).toBe('sim');
      expect(sim.via).toMatch(/^SimTransport \(no simulated BlueZ: dbus-daemon is not installed/);
      expect(lines.join('')).toMatch(
        /dbus-daemon unavailable: simulated instruments run behind SimTransport/,
      );
      await sim.stop();
    } finally {
      process.env.PATH = path;
    }
  });
});
