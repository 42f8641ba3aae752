import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { DRIVERS } from '../ble-devices/drivers/catalogue.ts';
import type { Transport } from '../ble-devices/transport.ts';
import type { ReadOptions } from '../store/index.ts';
import type { ObservationRecord } from '../store/schema/observation.ts';
import type { KitConfig } from './config.ts';
import type { KitEvent } from './events.ts';
import type { ApiStore } from './http/api/index.ts';
import { instrumentControl } from './http/api/instrument-control.ts';
import { createApp } from './http/app.ts';
import { InstrumentManager } from './instruments/instrument-manager.ts';
import { PairingSessions } from './instruments/pairing.ts';
import { LiveBus } from './live-bus.ts';
import type { Logger } from './log.ts';
import { MeasurementPipeline, type ObservationWriter } from './pipeline/pipeline.ts';
import { StorageHealth } from './storage-health.ts';

/** The store as the running kit uses it (the real one comes from store/index.ts). */
export interface KitStore extends ObservationWriter, ApiStore {
  recentObservations(limit: number, options?: ReadOptions): Promise<ObservationRecord[]>;
}

/** The built tablet app. */
export const PWA_DIST = fileURLToPath(new URL('../pwa/dist/', import.meta.url));

/** A running kit. `stop` drains pending writes before returning, so nothing acknowledged is lost. */
export interface KitHandle {
  readonly url: string;
  readonly port: number;
  readonly bus: LiveBus<KitEvent>;
  readonly pipeline: MeasurementPipeline;
  readonly instruments: InstrumentManager;
  /** Pairing driven from the tablet (or the CLI): questions arrive as `pairing` events. */
  readonly pairing: PairingSessions;
  /** How the kit reaches its instruments (for the start banner). */
  readonly via: string;
  readonly storage: StorageHealth;
  stop(): Promise<void>;
}

function listen(app: ReturnType<typeof createApp>, host: string, port: number): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, () => resolve(server));
    server.once('error', reject);
  });
}

/**
 * The composition root: the only place that picks the transport (simulated unless told
 * otherwise), the drivers, the store and the port. Wires instrument -> pipeline -> store -> bus
 * -> HTTP/SSE.
 */
export async function startKit(
  config: KitConfig,
  store: KitStore,
  log: Logger,
  version: string,
  options: { transport?: Transport } = {},
): Promise<KitHandle> {
  if (!existsSync(`${PWA_DIST}index.html`)) {
    throw new Error(`the tablet app is not built (${PWA_DIST}): run \`npm run build:pwa\``);
  }
  // The simulators load only when simulation is what runs (sim/ stays out of a hardware kit);
  // a radio stack loads only when chosen (`--ble bluez|noble`).
  const sim =
    !options.transport && config.ble === 'sim' && config.sim.enabled
      ? await (await import('./sim-instruments.ts')).startSimulatedInstruments(config, log)
      : null;
  const hardware =
    !options.transport && config.ble !== 'sim'
      ? await (await import('./ble-transport.ts')).openHardwareTransport(config.ble, log)
      : null;
  const transport = options.transport ?? sim?.transport ?? hardware?.transport;
  if (!transport) throw new Error('no instrument transport: enable simulation or pass a transport');
  const via = sim?.via ?? hardware?.via ?? `a ${transport.kind} transport`;
  const bus = new LiveBus<KitEvent>();
  const pipeline = new MeasurementPipeline(store, bus, () => ({ visitId: null, patientId: null }), log);
  const storage = new StorageHealth({
    dir: config.dataDir,
    bus,
    log,
    lowSpaceBytes: config.storage.lowSpaceBytes,
    checkIntervalMs: config.storage.checkIntervalMs,
  });
  await storage.start();
  const instruments = new InstrumentManager({
    transport,
    drivers: DRIVERS,
    sink: pipeline,
    bus,
    log,
    context: { utcOffsetMinutes: config.utcOffsetMinutes, now: () => new Date() },
    reconnectDelayMs: config.reconnectDelayMs,
    ...(sim ? { scanTimeoutMs: sim.scanTimeoutMs } : {}),
  });
  const pairing = new PairingSessions({ transport, bus, log });
  const app = createApp({
    version,
    bus,
    recentObservations: (limit, options) => store.recentObservations(limit, options),
    instruments: () => instruments.list(),
    storage: () => storage.status(),
    staticRoot: PWA_DIST,
    api: { store, instruments: instrumentControl(() => instruments.list(), pairing) },
  });
  const server = await listen(app, config.http.host, config.http.port);
  const port = (server.address() as AddressInfo).port;
  const shownHost =
    config.http.host === '0.0.0.0' || config.http.host === '127.0.0.1' ? 'localhost' : config.http.host;
  // An unreachable radio is a reported state; the kit still serves what it has stored.
  await instruments
    .start()
    .catch((err: unknown) =>
      log.error({ err: err instanceof Error ? err.message : String(err) }, 'instruments unavailable'),
    );
  return {
    url: `http://${shownHost}:${port}/`,
    port,
    bus,
    pipeline,
    instruments,
    pairing,
    via,
    storage,
    async stop() {
      await pairing.close();
      await instruments.stop();
      if (sim) await sim.stop();
      else await transport.close();
      await pipeline.drain();
      storage.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    },
  };
}
