import { TransportError } from '../../transport.ts';
import type { ListedPort } from './port-candidates.ts';

/** Line settings a port is opened with. */
export interface LineSettings {
  readonly baudRate: number;
  readonly dataBits: 7 | 8;
  readonly parity: 'none' | 'odd' | 'even';
  readonly stopBits: 1 | 2;
}

/** The slice of serialport's SerialPort class the kit uses. */
interface PortLike {
  readonly isOpen: boolean;
  open(cb: (err: Error | null) => void): void;
  close(cb: (err: Error | null) => void): void;
  write(data: Buffer, cb: (err: Error | null | undefined) => void): boolean;
  on(event: 'data', cb: (chunk: Buffer) => void): this;
  on(event: 'close', cb: (err?: Error & { disconnected?: boolean }) => void): this;
  on(event: 'error', cb: (err: Error) => void): this;
}

interface SerialportModule {
  SerialPort: {
    new (options: LineSettings & { path: string; autoOpen: false; lock: boolean }): PortLike;
    list(): Promise<ListedPort[]>;
  };
}

let loaded: Promise<SerialportModule> | null = null;

/** Loads serialport (a native module) on first use only, so a kit without serial never pays for it. */
export function loadSerialport(): Promise<SerialportModule> {
  loaded ??= (import('serialport') as Promise<SerialportModule>).catch((err: unknown) => {
    loaded = null;
    throw new TransportError('unavailable', `serialport cannot load: ${(err as Error).message}`);
  });
  return loaded;
}

/** serialport's `list()` (USB ports with vendor/product ids; never the pty links of simulators). */
export async function listPorts(): Promise<ListedPort[]> {
  const { SerialPort } = await loadSerialport();
  return SerialPort.list();
}

function openError(path: string, err: Error): TransportError {
  const m = err.message;
  if (/ENOENT|No such file/i.test(m)) return new TransportError('not_found', `no port at ${path}`);
  if (/EACCES|Permission denied/i.test(m)) {
    return new TransportError(
      'not_permitted',
      `no permission to open ${path} (is the user in the dialout group?)`,
    );
  }
  if (/lock|EBUSY|temporarily unavailable/i.test(m)) {
    return new TransportError('not_permitted', `${path} is in use by another program`);
  }
  return new TransportError('unavailable', `cannot open ${path}: ${m}`);
}

/**
 * One open serial port. Every failure is a {@link TransportError}; serialport's 'error' events
 * are always handled (an unhandled one would end the process). `onClose` reports whether the
 * port went away under us (a pulled cable: `unexpected`) or was closed by the kit.
 */
export class SerialLine {
  #closing = false;
  #closed = false;
  readonly #closeListeners = new Set<(reason: string, unexpected: boolean) => void>();
  #onData: (chunk: Uint8Array) => void = () => undefined;

  private constructor(
    readonly path: string,
    readonly settings: LineSettings,
    private readonly port: PortLike,
  ) {
    port.on('data', (chunk) => this.#onData(chunk));
    port.on('error', () => undefined);
    port.on('close', (err) => {
      const unexpected = !this.#closing;
      this.#closed = true;
      const reason = unexpected
        ? `port ${path} went away${err?.message ? ` (${err.message})` : ''}: cable pulled?`
        : 'closed by the kit';
      for (const l of [...this.#closeListeners]) l(reason, unexpected);
      this.#closeListeners.clear();
    });
  }

  /** Opens `path` with `settings`. */
  static async open(path: string, settings: LineSettings, signal?: AbortSignal): Promise<SerialLine> {
    if (signal?.aborted) throw new TransportError('aborted', 'operation aborted');
    const { SerialPort } = await loadSerialport();
    const port = new SerialPort({ path, ...settings, autoOpen: false, lock: true });
    port.on('error', () => undefined);
    await new Promise<void>((resolve, reject) =>
      port.open((err) => (err ? reject(openError(path, err)) : resolve())),
    );
    const line = new SerialLine(path, settings, port);
    if (signal?.aborted) {
      await line.close();
      throw new TransportError('aborted', 'operation aborted');
    }
    return line;
  }

  get isOpen(): boolean {
    return !this.#closed && this.port.isOpen;
  }

  /** Sets the one receiver of incoming bytes. */
  onData(listener: (chunk: Uint8Array) => void): void {
    this.#onData = listener;
  }

  /** Adds a close listener; returns a function that removes it. */
  onClose(listener: (reason: string, unexpected: boolean) => void): () => void {
    if (this.#closed) {
      listener('port already closed', false);
      return () => undefined;
    }
    this.#closeListeners.add(listener);
    return () => this.#closeListeners.delete(listener);
  }

  write(bytes: Uint8Array): Promise<void> {
    if (!this.isOpen) return Promise.reject(new TransportError('not_connected', `${this.path} is not open`));
    return new Promise((resolve, reject) =>
      this.port.write(Buffer.from(bytes), (err) =>
        err
          ? reject(new TransportError('not_connected', `write to ${this.path} failed: ${err.message}`))
          : resolve(),
      ),
    );
  }

  /** Closes the port; resolves once closed (never rejects). */
  close(): Promise<void> {
    if (this.#closed || !this.port.isOpen) {
      this.#closed = true;
      return Promise.resolve();
    }
    this.#closing = true;
    return new Promise((resolve) => this.port.close(() => resolve()));
  }
}
