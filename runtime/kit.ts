import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DRIVERS } from '../ble-devices/drivers/catalogue.ts';
import type { Transport } from '../ble-devices/transport.ts';
import type { ReadOptions } from '../store/index.ts';
import type { ObservationRecord } from '../store/schema/observation.ts';
import type { KitConfig } from './config.ts';
import type { KitEvent } from './events.ts';
import type { ApiStore } from './http/api/index.ts';
import { instrumentControl } from './http/api/instrument-control.ts';
import { createApp } from './http/app.ts';
import type { PairingStore } from './http/auth/pairing-routes.ts';
import { storeTokenVerifier, type TabletLookup } from './http/auth/store-verifier.ts';
import { LiveJournal } from './http/live/journal.ts';
import { authority, primaryAddress } from './http/onboarding/addresses.ts';
import { createOnboardingApp } from './http/onboarding/routes.ts';
import { startServers } from './http/server.ts';
import type { CredentialStore } from './http/tls/kit-ca.ts';
import { KitTls } from './http/tls/kit-tls.ts';
import { InstrumentManager } from './instruments/instrument-manager.ts';
import { PairingSessions } from './instruments/pairing.ts';
import { LiveBus } from './live-bus.ts';
import type { Logger } from './log.ts';
import { MeasurementPipeline, type ObservationWriter } from './pipeline/pipeline.ts';
import { StorageHealth } from './storage-health.ts';

/** The store as the running kit uses it (the real one comes from store/index.ts). */
export interface KitStore extends ObservationWriter, ApiStore, TabletLookup, PairingStore, CredentialStore {
  recentObservations(limit: number, options?: ReadOptions): Promise<ObservationRecord[]>;
}

/** The built tablet app. */
export const PWA_DIST = fileURLToPath(new URL('../pwa/dist/', import.meta.url));

/** A running kit. `stop` drains pending writes before returning, so nothing acknowledged is lost. */
export interface KitHandle {
  /** The tablet app over HTTPS (`https://localhost:<port>/`). */
  readonly url: string;
  /** The tablet app as a tablet on the Wi-Fi reaches it (the LAN address when listening on all interfaces). */
  readonly tabletUrl: string;
  /** The onboarding page over plain HTTP (`http://localhost:<port>/`). */
  readonly onboardingUrl: string;
  readonly httpsPort: number;
  readonly httpPort: number;
  /** The kit CA's root certificate (PEM), what tablets install; tests trust it. */
  readonly caPem: string;
  readonly tls: KitTls;
  readonly bus: LiveBus<KitEvent>;
  readonly journal: LiveJournal;
  readonly pipeline: MeasurementPipeline;
  readonly instruments: InstrumentManager;
  /** Pairing driven from the tablet (or the CLI): questions arrive as `pairing` events. */
  readonly pairing: PairingSessions;
  /** How the kit reaches its instruments (for the start banner). */
  readonly via: string;
  readonly storage: StorageHealth;
  stop(): Promise<void>;
}

/**
 * The composition root: the only place that picks the transport (simulated unless told
 * otherwise), the drivers, the store and the ports. Wires instrument -> pipeline -> store -> bus
 * -> live channel, and serves the tablet app over HTTPS from the kit-local CA with the
 * onboarding page beside it over plain HTTP.
 */
export async function startKit(
  config: KitConfig,
  store: KitStore,
  log: Logger,
  version: string,
  options: { transport?: Transport; heartbeatMs?: number; staticRoot?: string } = {},
): Promise<KitHandle> {
  const staticRoot = options.staticRoot ?? PWA_DIST;
  if (!existsSync(`${staticRoot}index.html`)) {
    throw new Error(`the tablet app is not built (${staticRoot}): run \`npm run build:pwa\``);
  }
  // The CA check (and, at first start, its creation) runs while the rest is being wired.
  const tlsReady = KitTls.start({
    store,
    log,
    extraDns: config.http.extraDnsNames,
    checkEveryMs: config.http.tlsCheckMs,
  });
  tlsReady.catch(() => undefined);
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
  if (!transport) {
    void tlsReady.then((t) => t.stop()).catch(() => undefined);
    throw new Error('no instrument transport: enable simulation or pass a transport');
  }
  const via = sim?.via ?? hardware?.via ?? `a ${transport.kind} transport`;
  // Undoes what was opened above when a later step of the start fails.
  const releaseInstruments = async (): Promise<void> => {
    if (sim) await sim.stop();
    else if (hardware) await hardware.transport.close();
  };
  const bus = new LiveBus<KitEvent>();
  const journal = new LiveJournal(bus);
  const pipeline = new MeasurementPipeline(store, bus, () => ({ visitId: null, patientId: null }), log);
  const storage = new StorageHealth({
    dir: config.dataDir,
    bus,
    log,
    lowSpaceBytes: config.storage.lowSpaceBytes,
    checkIntervalMs: config.storage.checkIntervalMs,
  });
  try {
    await storage.start();
  } catch (err) {
    await releaseInstruments();
    void tlsReady.then((t) => t.stop()).catch(() => undefined);
    throw err;
  }
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
    journal,
    recentObservations: (limit, options) => store.recentObservations(limit, options),
    instruments: () => instruments.list(),
    storage: () => storage.status(),
    staticRoot,
    tokens: storeTokenVerifier(store),
    pairing: store,
    ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
    api: { store, bus, instruments: instrumentControl(() => instruments.list(), pairing) },
  });
  let tls: KitTls;
  try {
    tls = await tlsReady;
  } catch (err) {
    await releaseInstruments();
    storage.stop();
    journal.close();
    throw err;
  }
  let servers;
  try {
    servers = await startServers({
      host: config.http.host,
      httpsPort: config.http.httpsPort,
      httpPort: config.http.port,
      tls: tls.material,
      httpsApp: app,
      httpApp: ({ httpsPort, httpPort }) =>
        createOnboardingApp({
          material: () => tls.material,
          httpsPort: () => httpsPort,
          httpPort,
          pairing: store,
        }),
    });
  } catch (err) {
    await releaseInstruments();
    await tls.stop();
    storage.stop();
    journal.close();
    throw err;
  }
  const offRenew = tls.onRenew((m) => servers.setTls(m));
  const shownHost =
    config.http.host === '0.0.0.0' || config.http.host === '127.0.0.1' ? 'localhost' : config.http.host;
  const lan = primaryAddress(tls.material.names);
  const tabletHost =
    (config.http.host === '0.0.0.0' || config.http.host === '::') && lan !== undefined ? lan : shownHost;
  // An unreachable radio is a reported state; the kit still serves what it has stored.
  await instruments
    .start()
    .catch((err: unknown) =>
      log.error({ err: err instanceof Error ? err.message : String(err) }, 'instruments unavailable'),
    );
  return {
    url: `https://${shownHost}:${servers.httpsPort}/`,
    tabletUrl: `https://${authority(tabletHost, servers.httpsPort)}/`,
    onboardingUrl: `http://${shownHost}:${servers.httpPort}/`,
    httpsPort: servers.httpsPort,
    httpPort: servers.httpPort,
    caPem: tls.material.rootPem,
    tls,
    bus,
    journal,
    pipeline,
    instruments,
    pairing,
    via,
    storage,
    async stop() {
      await pairing.close();
      offRenew();
      await tls.stop();
      await instruments.stop();
      if (sim) await sim.stop();
      else await transport.close();
      await pipeline.drain();
      storage.stop();
      journal.close();
      await servers.close();
    },
  };
}
