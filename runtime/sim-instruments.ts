import type { Transport } from '../ble-devices/transport.ts';
import { DbusDaemonUnavailable, startSimulatedBluez } from '../sim/bluez/index.ts';
import { buildInstrumentSet } from '../sim/bluez/instrument-set.ts';
import type { SimInstrument } from '../sim/instruments/sim-instrument.ts';
import { SimTransport } from '../sim/transport/sim-transport.ts';
import type { KitConfig } from './config.ts';
import type { Logger } from './log.ts';

/** The simulated instrument set and the transport that reaches it. */
export interface SimulatedInstruments {
  readonly transport: Transport;
  readonly instruments: readonly SimInstrument[];
  /** How the kit reaches them, for the start banner and the log. */
  readonly via: string;
  /** How long a scan should listen (the simulated BlueZ hears everything at once). */
  readonly scanTimeoutMs: number;
  stop(): Promise<void>;
}

/**
 * The kit's default instruments when no hardware is present (`npm start`, `--ble sim`): a PLX
 * continuous oximeter and a BP cuff behind a simulated BlueZ on a private dbus-daemon, reached
 * through the real node-ble transport, so the simulation runs the same code path as a radio.
 * Where dbus-daemon is missing they fall back to SimTransport, and the log says so.
 * With `fieldkit sim` (runtime/cli/sim-command.ts), the only production code that imports sim/:
 * the `fieldkit/boundaries` lint rule (scripts/eslint-boundaries.js) refuses it anywhere else. The
 * kit loads this module lazily, only when it simulates.
 */
export async function startSimulatedInstruments(
  config: KitConfig,
  log: Logger,
): Promise<SimulatedInstruments> {
  const set = buildInstrumentSet(['oximeter', 'bp'], {
    seed: config.sim.seed,
    utcOffsetMinutes: config.utcOffsetMinutes,
    oximeterRateHz: config.sim.oximeterRateHz,
    bpIntervalMs: config.sim.bpIntervalMs,
  });
  const instruments = set.map((s) => s.instrument);
  const stopInstruments = (): void => instruments.forEach((i) => i.stop());
  for (const i of instruments) i.start();
  try {
    const bluez = await startSimulatedBluez({ devices: set.map((s) => s.device) });
    const { NodeBleTransport } = await import('../ble-devices/transports/node-ble/index.ts');
    const transport = new NodeBleTransport({
      busAddress: bluez.address,
      onNote: (event, detail) => log.warn({ event, detail }, 'BlueZ'),
    });
    log.info(
      { bus: bluez.address },
      'simulated instruments behind a simulated BlueZ (node-ble over a private D-Bus)',
    );
    return {
      transport,
      instruments,
      via: `a simulated BlueZ through node-ble (DBUS_SYSTEM_BUS_ADDRESS=${bluez.address})`,
      scanTimeoutMs: 300,
      async stop() {
        stopInstruments();
        await transport.close();
        await bluez.stop();
      },
    };
  } catch (err) {
    if (!(err instanceof DbusDaemonUnavailable)) {
      stopInstruments();
      throw err;
    }
    log.warn(
      { reason: err.message },
      'dbus-daemon unavailable: simulated instruments run behind SimTransport instead of a simulated BlueZ',
    );
    return {
      transport: new SimTransport(instruments.map((i) => i.peripheral)),
      instruments,
      via: `SimTransport (no simulated BlueZ: ${err.message})`,
      scanTimeoutMs: 0,
      stop: () => Promise.resolve(stopInstruments()),
    };
  }
}
