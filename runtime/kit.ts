import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DRIVERS } from '../ble-devices/drivers/catalogue.ts';
import type { Transport } from '../ble-devices/transport.ts';
import type { SerialTransport } from '../ble-devices/transports/serial/serial-transport.ts';
import type { ReadOptions, RecordStore } from '../store/index.ts';
import type { ObservationRecord } from '../store/schema/observation.ts';
import type { KitConfig } from './config.ts';
import type { KitEvent } from './events.ts';
import type { ExportSource } from './fhir/export/export-source.ts';
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
import {
  InstrumentError,
  InstrumentManager,
  type InstrumentStore,
} from './instruments/instrument-manager.ts';
import type { KitLink } from './link/kit-link.ts';
import { PairingSessions } from './instruments/pairing.ts';
import type { TabletConsults } from './link/tablet-consults.ts';
import { LiveBus } from './live-bus.ts';
import type { Logger } from './log.ts';
import { CoalescingWriter } from './pipeline/coalescing-writer.ts';
import { MeasurementPipeline, type ObservationWriter } from './pipeline/pipeline.ts';
import { StorageHealth } from './storage-health.ts';

/** The store as the running kit uses it (the real one comes from store/index.ts). */
export interface KitStore
  extends
    ObservationWriter,
    InstrumentStore,
    ApiStore,
    TabletLookup,
    PairingStore,
    CredentialStore,
    // readBlob comes from ApiStore (an AsyncGenerator is the AsyncIterable the export reads).
    Omit<ExportSource, 'readBlob'> {
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
  /** The link to the specialists, when configured. */
  readonly link: KitLink | undefined;
  stop(): Promise<void>;
}

/** Rescans the serial transport whenever a port appears; returns the stop function. */
async function watchSerialPorts(
  serial: SerialTransport,
  instruments: InstrumentManager,
  log: Logger,
): Promise<() => void> {
  const watcher = serial.watcher(2000);
  await watcher.poll(); // the ports already there were scanned at start
  const off = watcher.onChange((change) => {
    if (change.added.length === 0) return;
    void instruments
      .rescan('serial')
      .catch((err: unknown) => log.warn({ err: String(err) }, 'serial rescan failed'));
  });
  watcher.start();
  return () => {
    off();
    watcher.stop();
  };
}

/** Where `--serial` looks, for the start banner. */
function serialWhere(serial: NonNullable<KitConfig['serial']>): string {
  return [...(serial.auto ? ['CMS50 cables found by USB id'] : []), ...serial.paths].join(', ');
}

/** Where the kit's link goes: the organisation key it trusts and the hub (its certificate pinned). */
export interface KitLinkSetup {
  /** The kit's own store (its device keys sign and open envelopes; the outbox lives there). */
  readonly store: RecordStore;
  readonly orgKey: Uint8Array;
  readonly hub: { readonly url: string; readonly certPem: string };
  /** A signed directory to pin if none is pinned yet. */
  readonly directory?: Uint8Array;
  /** Test-only: paces the live channel's link probe (bytes/s), see live-vitals.ts. */
  readonly liveProbePace?: number;
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
  options: { transport?: Transport; heartbeatMs?: number; staticRoot?: string; link?: KitLinkSetup } = {},
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
  // What a failed start undoes, newest first: each part adds its undo once it is up. The CA is
  // stopped without waiting for it while it is still being checked or created (the first step;
  // replaced by an awaited stop once it is ready).
  const undo: Array<() => unknown> = [() => void tlsReady.then((t) => t.stop()).catch(() => undefined)];
  const abandon = async (err: unknown): Promise<never> => {
    for (const step of undo.reverse()) await step();
    throw err;
  };
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
  const radio = options.transport ?? sim?.transport ?? hardware?.transport;
  // USB cables beside the radio (or alone); serialport loads only when asked for.
  const serial = config.serial
    ? await (await import('./instruments/serial-option.ts')).openSerialTransport(config.serial)
    : null;
  const transports = [...(radio ? [radio] : []), ...(serial ? [serial] : [])];
  if (transports.length === 0)
    return abandon(
      new Error('no instrument transport: enable simulation, pass a transport or give --serial'),
    );
  const via = [
    ...(radio ? [sim?.via ?? hardware?.via ?? `a ${radio.kind} transport`] : []),
    ...(config.serial ? [`USB serial (${serialWhere(config.serial)})`] : []),
  ].join(' and ');
  // Closes every transport (a simulated BlueZ with its simulators): on a failed start or at stop.
  const releaseInstruments = async (): Promise<void> => {
    await Promise.allSettled(transports.map((t) => (sim && t === sim.transport ? sim.stop() : t.close())));
  };
  undo.push(releaseInstruments);
  const bus = new LiveBus<KitEvent>();
  const journal = new LiveJournal(bus);
  // One transaction per few milliseconds of readings, not one per reading (see CoalescingWriter).
  const pipeline = new MeasurementPipeline(
    new CoalescingWriter(store),
    bus,
    () => ({ visitId: null, patientId: null }),
    log,
  );
  const storage = new StorageHealth({
    dir: config.dataDir,
    bus,
    log,
    lowSpaceBytes: config.storage.lowSpaceBytes,
    checkIntervalMs: config.storage.checkIntervalMs,
  });
  undo.push(() => journal.close());
  await storage.start().catch(abandon);
  undo.push(() => storage.stop());
  const instruments = new InstrumentManager({
    transports,
    drivers: DRIVERS,
    sink: pipeline,
    store,
    bus,
    log,
    context: { utcOffsetMinutes: config.utcOffsetMinutes, now: () => new Date() },
    firstReconnectDelayMs: config.firstReconnectDelayMs,
    reconnectDelayMs: config.reconnectDelayMs,
    maxReconnectDelayMs: config.maxReconnectDelayMs,
    gattSpacingMs: config.gattSpacingMs,
    // Real radios hear other brigades' instruments: those are picked on the tablet (or paired).
    autoRemember: !config.autoRemember ? false : hardware ? ['serial'] : true,
    // The simulated BlueZ answers at once; a serial scan must give each port time to talk.
    ...(sim && !serial ? { scanTimeoutMs: sim.scanTimeoutMs } : {}),
  });
  const pairing = new PairingSessions({
    // Serial cables keep no bonds: with no radio, pairing reports itself unsupported.
    transport: radio ?? transports[0]!,
    bus,
    log,
    // A bonded instrument is remembered at once (the manager scans first if it has not seen it).
    onBonded: async ({ id, name }) => {
      const remember = () => instruments.remember(id, { name, bonded: true });
      await remember().catch(async (err: unknown) => {
        if (!(err instanceof InstrumentError && err.code === 'unknown_device')) throw err;
        await instruments.scan();
        return remember();
      });
    },
    // Forgetting from the pairing screen forgets the instrument too (and its bond, either way).
    onForget: async (id) => {
      if (!(await instruments.forget(id))) await radio?.pairing?.removeBond(id);
    },
  });
  undo.push(() => pairing.close());
  // The link loads only when configured (a kit without one never opens a socket to a hub).
  const link: KitLink | undefined = options.link
    ? await (
        await import('./link/kit-link.ts')
      )
        .startKitLink({ ...options.link, log: log.child({ part: 'link' }), onEvent: (e) => bus.publish(e) })
        .catch(abandon)
    : undefined;
  undo.push(() => link?.stop());
  // The tablets' consultations ride the link, and its answers come back to their visits.
  const consults: TabletConsults | undefined =
    link && options.link
      ? new (await import('./link/tablet-consults.ts')).TabletConsults({
          store: options.link.store,
          bus,
          log: log.child({ part: 'tablet-consults' }),
          link: {
            send: (input) => link.send(input),
            specialists: () => link.specialists(),
            items: () => link.items(),
            inboxEntries: () => link.endpoint.inbox.entries(),
          },
        })
      : undefined;
  await consults?.start().catch(abandon);
  undo.push(() => consults?.stop());
  // Live vitals and calls for specialists' consoles, over the direct paths' signaling.
  const live =
    link && options.link && consults
      ? (await import('./link/live/kit-live.ts')).startKitLive({
          link,
          store: options.link.store,
          bus,
          log: log.child({ part: 'live' }),
          visitOf: (itemId) => consults.visitOfItem(itemId),
          ...(options.link.liveProbePace ? { probePace: options.link.liveProbePace } : {}),
        })
      : undefined;
  undo.push(() => live?.stop());
  const app = createApp({
    version,
    journal,
    recentObservations: (limit, options) => store.recentObservations(limit, options),
    storage: () => storage.status(),
    staticRoot,
    tokens: storeTokenVerifier(store),
    pairing: store,
    fhir: store,
    ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
    ...(link ? { link } : {}),
    api: {
      store,
      bus,
      instruments: instrumentControl(instruments, pairing, radio?.pairing),
      ...(consults
        ? { delivery: consults, answers: (visitId: string) => Promise.resolve(consults.answers(visitId)) }
        : {}),
      ...(live ? { calls: live } : {}),
    },
  });
  const tls = await tlsReady.catch(abandon);
  undo[0] = () => tls.stop();
  const servers = await startServers({
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
  }).catch(abandon);
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
  // A cable plugged in while the kit runs is probed (and, recognised, remembered) at once.
  const hotplug = serial ? await watchSerialPorts(serial, instruments, log) : null;
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
    link,
    async stop() {
      live?.stop();
      await consults?.stop();
      await link?.stop();
      await pairing.close();
      offRenew();
      await tls.stop();
      hotplug?.();
      await instruments.stop();
      await releaseInstruments();
      await pipeline.drain();
      storage.stop();
      journal.close();
      await servers.close();
    },
  };
}
