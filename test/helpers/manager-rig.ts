import { DRIVERS } from '../../ble-devices/drivers/catalogue.ts';
import type { Transport } from '../../ble-devices/transport.ts';
import type { KitEvent } from '../../runtime/events.ts';
import {
  InstrumentManager,
  type InstrumentManagerOptions,
} from '../../runtime/instruments/instrument-manager.ts';
import type { InstrumentStatus } from '../../runtime/instruments/instrument-status.ts';
import { LiveBus } from '../../runtime/live-bus.ts';
import { createLogger } from '../../runtime/log.ts';
import { MeasurementPipeline } from '../../runtime/pipeline/pipeline.ts';
import type { SimInstrument } from '../../sim/instruments/sim-instrument.ts';
import { SimTransport } from '../../sim/transport/sim-transport.ts';
import { openStore, type RecordStore } from '../../store/index.ts';
import type { ObservationRecord } from '../../store/schema/observation.ts';
import { TEST_KDF, tempDir } from '../../store/testing.ts';

/** Waits for a condition, polling; fails with `what` after `ms`. */
export async function until(check: () => boolean, what = 'condition', ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`${what}: not met in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Options of {@link managerRig}. */
export interface RigOptions {
  /** The instruments, started by the rig (and stopped at teardown). */
  readonly instruments: readonly SimInstrument[];
  /** The transport to reach them (default a SimTransport over their peripherals). */
  readonly transport?: Transport;
  /** The kit's zone (default +03:00: device clocks in UTC are then visibly wrong). */
  readonly utcOffsetMinutes?: number;
  readonly autoRemember?: boolean;
  /** Overrides of the manager's timings. */
  readonly manager?: Partial<InstrumentManagerOptions>;
}

/** A manager over a real store (temp dir), with everything a test looks at. */
export interface Rig {
  readonly store: RecordStore;
  readonly bus: LiveBus<KitEvent>;
  readonly events: KitEvent[];
  readonly pipeline: MeasurementPipeline;
  readonly transport: Transport;
  manager: InstrumentManager;
  /** The status of one instrument (throws when it is not remembered). */
  status(id: string): InstrumentStatus;
  /** Every stored observation, oldest first. */
  stored(): Promise<ObservationRecord[]>;
  /** Stops the manager and starts a new one on the same store and transport (a kit restart). */
  restart(): Promise<void>;
  teardown(): Promise<void>;
}

/**
 * The instrument manager as the kit wires it (pipeline, real encrypted store, live bus), with
 * fast timings, for the acceptance tests. Transport-agnostic: the node-ble flow test passes the
 * BlueZ transport over the simulated BlueZ and the same instruments.
 */
export async function managerRig(o: RigOptions): Promise<Rig> {
  const { dir, cleanup } = tempDir('fieldkit-manager-');
  const store = await openStore({ path: dir, passphrase: 'manager-rig', kdf: TEST_KDF });
  const bus = new LiveBus<KitEvent>();
  const events: KitEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const log = createLogger('silent');
  const pipeline = new MeasurementPipeline(store, bus, () => ({ visitId: 'v-rig', patientId: null }), log);
  const transport = o.transport ?? new SimTransport(o.instruments.map((i) => i.peripheral));
  const utcOffsetMinutes = o.utcOffsetMinutes ?? 180;
  const make = (): InstrumentManager =>
    new InstrumentManager({
      transport,
      drivers: DRIVERS,
      sink: pipeline,
      store,
      bus,
      log,
      context: { utcOffsetMinutes, now: () => new Date() },
      reconnectDelayMs: 20,
      maxReconnectDelayMs: 200,
      gattSpacingMs: 1,
      gattTimeoutMs: 3000,
      flushMs: 30,
      racpIdleTimeoutMs: 1500,
      scanTimeoutMs: 500,
      autoRemember: o.autoRemember ?? true,
      ...o.manager,
    });
  for (const i of o.instruments) i.start();
  const rig: Rig = {
    store,
    bus,
    events,
    pipeline,
    transport,
    manager: make(),
    status(id) {
      const s = rig.manager.list().find((x) => x.id === id);
      if (!s) throw new Error(`instrument ${id} is not remembered`);
      return s;
    },
    async stored() {
      await pipeline.drain();
      return (await store.recentObservations(10_000)).reverse();
    },
    async restart() {
      await rig.manager.stop();
      rig.manager = make();
      await rig.manager.start();
    },
    async teardown() {
      for (const i of o.instruments) i.stop();
      await rig.manager.stop();
      await pipeline.drain();
      await transport.close();
      await store.close();
      cleanup();
    },
  };
  await rig.manager.start();
  return rig;
}
