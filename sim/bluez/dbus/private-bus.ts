import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Thrown when no `dbus-daemon` can be started here (not installed): callers fall back and say so. */
export class DbusDaemonUnavailable extends Error {
  readonly code = 'dbus_daemon_unavailable';
  constructor(message: string) {
    super(message);
    this.name = 'DbusDaemonUnavailable';
  }
}

/** Options of a private bus. */
export interface PrivateBusOptions {
  /** The dbus-daemon binary (default: `dbus-daemon` on PATH). */
  readonly daemon?: string;
  /** How long the daemon may take to print its address. */
  readonly startTimeoutMs?: number;
}

/** A running private system-type bus; `address` goes into DBUS_SYSTEM_BUS_ADDRESS. */
export interface PrivateBus {
  readonly address: string;
  readonly dir: string;
  readonly pid: number;
  /** Kills the daemon the hard way (a fault: every client loses its connection). */
  kill(): void;
  /** Starts the daemon again on the same socket path (after a kill). */
  restart(): Promise<void>;
  /** Stops the daemon and removes its directory. */
  stop(): Promise<void>;
}

/**
 * The daemon's configuration: a bus of type "system" (so BlueZ clients treat it as the system
 * bus), listening on a socket in our own directory, with a policy that lets the simulated BlueZ
 * own `org.bluez` and any local client call it. Limits stay at dbus-daemon's defaults, so leaks
 * of match rules hit the same ceiling they would on a real system bus.
 */
function config(socket: string): string {
  return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus"/>
  </policy>
</busconfig>
`;
}

function launch(daemon: string, configFile: string, timeoutMs: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(daemon, [`--config-file=${configFile}`, '--nofork', '--print-address=1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new DbusDaemonUnavailable(`dbus-daemon did not start within ${timeoutMs} ms: ${err.trim()}`));
    }, timeoutMs);
    child.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new DbusDaemonUnavailable(
          e.code === 'ENOENT' ? `${daemon} is not installed (Debian package dbus-daemon)` : e.message,
        ),
      );
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new DbusDaemonUnavailable(`dbus-daemon exited with ${code}: ${err.trim()}`));
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve(child);
      }
    });
  });
}

/**
 * Starts a private `dbus-daemon` of type system in a fresh temporary directory. Tests, the
 * simulated BlueZ and `npm start` use it instead of the machine's system bus, which these
 * machines do not have (and which node-ble would otherwise crash on).
 */
export async function startPrivateBus(options: PrivateBusOptions = {}): Promise<PrivateBus> {
  const daemon = options.daemon ?? 'dbus-daemon';
  const timeoutMs = options.startTimeoutMs ?? 5000;
  const dir = mkdtempSync(join(tmpdir(), 'fk-dbus-'));
  const socket = join(dir, 'system_bus_socket');
  const configFile = join(dir, 'bus.conf');
  writeFileSync(configFile, config(socket));
  let child: ChildProcess;
  try {
    child = await launch(daemon, configFile, timeoutMs);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const exited = (c: ChildProcess): Promise<void> =>
    c.exitCode !== null || c.signalCode !== null
      ? Promise.resolve()
      : new Promise((r) => c.once('exit', () => r()));
  return {
    address: `unix:path=${socket}`,
    dir,
    get pid() {
      return child.pid ?? -1;
    },
    kill() {
      child.kill('SIGKILL');
    },
    async restart() {
      child.kill('SIGKILL');
      await exited(child);
      rmSync(socket, { force: true });
      child = await launch(daemon, configFile, timeoutMs);
    },
    async stop() {
      child.kill('SIGTERM');
      await exited(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
