import { CMS50_LINE, CMS50_SERIAL, type Cms50LinkInfo } from '../../codecs/contec/cms50-link.ts';
import type { ContecGeneration } from '../../codecs/contec/stream-parser.ts';
import {
  TransportError,
  asDeviceId,
  type DeviceId,
  type DiscoveredDevice,
  type GattConnection,
  type Transport,
} from '../../transport.ts';
import type { FingerprintMatch } from './fingerprints.ts';
import { listCandidates, type ListedPort, type PortCandidate } from './port-candidates.ts';
import { PortWatcher } from './port-watcher.ts';
import { probePort, type ProbeResult } from './probe.ts';
import { SerialConnection } from './serial-connection.ts';
import { newCounters, type SerialCounters } from './serial-counters.ts';
import { SerialLine, listPorts } from './serial-line.ts';

/** Options of the serial transport (validated upstream by the kit's config). */
export interface SerialTransportOptions {
  /** Ports named by the user, opened by path (ptys never show in list()); always probed. */
  readonly paths?: readonly string[];
  /** Also find CMS50 cables by USB fingerprint (by-id folder and serialport's list()). */
  readonly auto?: boolean;
  /** Default /dev/serial/by-id. */
  readonly byIdDir?: string;
  /** How long to listen at each line setting while probing (default 1500 ms). */
  readonly probeWindowMs?: number;
  /** Generations to try, in order (default 9-byte first, DEVICES.md 9.1). */
  readonly generations?: readonly ContecGeneration[];
  /** 9-byte keep-alive period (default 1000 ms) and stall limit before restarting (default 2500 ms). */
  readonly keepAliveMs?: number;
  readonly stallMs?: number;
  /** serialport's list(), replaceable in tests. */
  readonly list?: () => Promise<readonly ListedPort[]>;
}

/** What the transport knows about one port, for status pages and `fieldkit instruments list`. */
export interface SerialPortState {
  readonly id: string;
  readonly realPath: string;
  readonly fingerprint: FingerprintMatch | null;
  readonly explicit: boolean;
  /** `instrument` once frames arrived; `silent` no bytes (cable without device); `unreadable` bytes but no frames. */
  readonly state: 'unprobed' | 'instrument' | 'silent' | 'unreadable' | 'failed' | 'connected';
  readonly generation: ContecGeneration | null;
  readonly lastError: string | null;
  readonly counters: Readonly<SerialCounters>;
}

interface PortRecord {
  candidate: PortCandidate;
  result: ProbeResult | null;
  counters: SerialCounters;
  connection: GattConnection | null;
}

/** How often an open port's path is checked (a pty whose far end died may not wake the reader). */
const PRESENCE_MS = 250;

const NAMES: Readonly<Record<ContecGeneration, string>> = {
  '5byte': 'Contec CMS50 (5-byte stream)',
  '9byte': 'Contec CMS50 (9-byte protocol)',
};

/**
 * USB serial instruments (Contec CMS50, both firmware families) behind the {@link Transport}
 * interface. A scan lists candidate ports, probes those not connected, and reports only ports
 * where an oximeter answered with valid frames. Device ids are port paths (by-id links when
 * present, so a replugged cable keeps its id).
 */
export class SerialTransport implements Transport {
  readonly kind = 'serial' as const;
  readonly #ports = new Map<string, PortRecord>();
  readonly #o: Required<Omit<SerialTransportOptions, 'list'>> & Pick<SerialTransportOptions, 'list'>;
  #closed = false;

  constructor(options: SerialTransportOptions = {}) {
    const window = options.probeWindowMs ?? 1500;
    if (!(window >= 50 && window <= 60_000))
      throw new RangeError(`probeWindowMs ${window} is outside 50..60000`);
    this.#o = {
      paths: options.paths ?? [],
      auto: options.auto ?? false,
      byIdDir: options.byIdDir ?? '/dev/serial/by-id',
      probeWindowMs: window,
      generations: options.generations ?? ['9byte', '5byte'],
      keepAliveMs: options.keepAliveMs ?? 1000,
      stallMs: options.stallMs ?? 2500,
      list: options.list,
    };
  }

  /** Every port seen, probed or not. */
  ports(): SerialPortState[] {
    return [...this.#ports.values()].map((p) => ({
      id: p.candidate.id,
      realPath: p.candidate.realPath,
      fingerprint: p.candidate.match,
      explicit: p.candidate.explicit,
      state: p.connection
        ? 'connected'
        : p.result === null
          ? 'unprobed'
          : p.result.kind === 'instrument'
            ? 'instrument'
            : p.result.kind,
      generation: p.result?.kind === 'instrument' ? p.result.generation : null,
      lastError: p.result?.kind === 'failed' ? p.result.error.message : null,
      counters: { ...p.counters },
    }));
  }

  /** The candidate ports now (no probing): what the hotplug watcher compares. */
  candidates(): Promise<PortCandidate[]> {
    return listCandidates({
      explicit: this.#o.paths,
      auto: this.#o.auto,
      byIdDir: this.#o.byIdDir,
      list: this.#o.list ?? listPorts,
    });
  }

  /**
   * A hotplug watcher over this transport's candidate ports (by-id folder, list(), explicit
   * paths): started by the caller, which decides what to do with a new port (scan, connect).
   */
  watcher(intervalMs = 1000): PortWatcher {
    return new PortWatcher(() => this.candidates(), intervalMs);
  }

  #record(c: PortCandidate): PortRecord {
    let r = this.#ports.get(c.id);
    if (!r) {
      r = { candidate: c, result: null, counters: newCounters(), connection: null };
      this.#ports.set(c.id, r);
    } else if (r.candidate.realPath !== c.realPath) {
      // Replugged (or another device under the same name): what it is must be found out again.
      r.candidate = c;
      r.result = null;
    }
    return r;
  }

  async #probe(r: PortRecord, signal?: AbortSignal): Promise<ProbeResult> {
    const hinted = r.result?.kind === 'instrument' ? [r.result.generation] : [];
    const generations = [...hinted, ...this.#o.generations.filter((g) => !hinted.includes(g))];
    const previous = r.result;
    const result = await probePort(r.candidate.id, {
      windowMs: this.#o.probeWindowMs,
      generations,
      counters: r.counters,
      ...(signal ? { signal } : {}),
    });
    // A probe cut short by the scan's deadline proves nothing about the port: keep what was known.
    r.result = signal?.aborted && result.kind !== 'instrument' ? previous : result;
    return result;
  }

  #discovered(r: PortRecord): DiscoveredDevice | null {
    if (r.result?.kind !== 'instrument') return null;
    return {
      id: asDeviceId(r.candidate.id),
      name: NAMES[r.result.generation],
      services: [CMS50_SERIAL.service],
    };
  }

  async scan(options: {
    readonly timeoutMs: number;
    readonly signal?: AbortSignal;
  }): Promise<DiscoveredDevice[]> {
    if (options.signal?.aborted) throw new TransportError('aborted', 'scan aborted');
    if (this.#closed) throw new TransportError('unavailable', 'transport closed');
    // One controller per scan, unhooked at the end: a caller's long-lived signal must not collect
    // a listener per scan (AbortSignal.any would keep them).
    const cut = new AbortController();
    const stop = (): void => cut.abort();
    const deadline = setTimeout(stop, Math.max(1, options.timeoutMs));
    options.signal?.addEventListener('abort', stop, { once: true });
    let records: PortRecord[];
    try {
      records = (await this.candidates()).map((c) => this.#record(c));
      await Promise.all(records.filter((r) => !r.connection).map((r) => this.#probe(r, cut.signal)));
    } finally {
      clearTimeout(deadline);
      options.signal?.removeEventListener('abort', stop);
    }
    if (options.signal?.aborted) throw new TransportError('aborted', 'scan aborted');
    return records.map((r) => this.#discovered(r)).filter((d): d is DiscoveredDevice => d !== null);
  }

  async connect(id: DeviceId, signal?: AbortSignal): Promise<GattConnection> {
    await Promise.resolve();
    if (signal?.aborted) throw new TransportError('aborted', 'operation aborted');
    if (this.#closed) throw new TransportError('unavailable', 'transport closed');
    const candidate = (await this.candidates()).find((c) => c.id === id) ?? (await this.#byPath(id));
    if (!candidate) throw new TransportError('not_found', `no serial port ${id}`);
    const r = this.#record(candidate);
    if (r.connection) {
      await r.connection.disconnect();
      r.connection = null;
    }
    const result = r.result?.kind === 'instrument' ? r.result : await this.#probe(r, signal);
    if (signal?.aborted) throw new TransportError('aborted', 'operation aborted');
    if (result.kind === 'failed') throw result.error;
    if (result.kind !== 'instrument') {
      const why =
        result.kind === 'silent'
          ? 'nothing answers (a cable with no oximeter, or the oximeter is off)'
          : `${result.bytes} bytes but no valid frames (wrong baud rate or not a CMS50)`;
      throw new TransportError('not_found', `no instrument on ${id}: ${why}`);
    }
    const line = CMS50_LINE[result.generation];
    const open = await SerialLine.open(candidate.id, line, signal);
    const link: Cms50LinkInfo = {
      generation: result.generation,
      ...line,
      usbVendorId: parseInt(candidate.facts.vendorId ?? '0', 16) || 0,
      usbProductId: parseInt(candidate.facts.productId ?? '0', 16) || 0,
    };
    r.counters.connects++;
    const conn = new SerialConnection(asDeviceId(candidate.id), open, link, r.counters, {
      keepAliveMs: this.#o.keepAliveMs,
      stallMs: this.#o.stallMs,
      presenceMs: PRESENCE_MS,
      realPath: candidate.realPath,
    });
    r.connection = conn;
    conn.onDisconnect(() => {
      if (r.connection === conn) r.connection = null;
    });
    return conn;
  }

  /** A port given by path at connect time that is not among the configured ones. */
  async #byPath(id: string): Promise<PortCandidate | undefined> {
    const [c] = await listCandidates({
      explicit: [id],
      auto: false,
      byIdDir: this.#o.byIdDir,
      list: () => Promise.resolve([]),
    });
    return c;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#ports.values()].map((r) => r.connection?.disconnect() ?? Promise.resolve()));
  }
}
