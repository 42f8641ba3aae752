import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';

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

/**
 * dbus-daemon under a small shell guard: the guard reads our end of a pipe and kills the daemon
 * when it closes, so a kit killed with SIGKILL leaves no daemon behind (node cannot set a
 * parent-death signal), and removes the bus directory unless told "keep" (a restart).
 */
const GUARD = `"$0" --config-file="$1" --nofork --print-address=1 --print-pid=1 &
d=$!
line=
read -r line
kill "$d" 2>/dev/null
wait "$d" 2>/dev/null
[ "$line" = keep ] || rm -rf "$2"
exit 0`;

interface Launched {
  readonly guard: ChildProcess;
  readonly pid: number;
}

function launch(daemon: string, configFile: string, timeoutMs: number): Promise<Launched> {
  return new Promise((resolve, reject) => {
    const guard = spawn('/bin/sh', ['-c', GUARD, daemon, configFile, dirname(configFile)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const fail = (e: Error): void => {
      clearTimeout(timer);
      guard.kill('SIGKILL');
      reject(e);
    };
    const timer = setTimeout(
      () =>
        fail(new DbusDaemonUnavailable(`dbus-daemon did not start within ${timeoutMs} ms: ${err.trim()}`)),
      timeoutMs,
    );
    guard.once('error', (e) => fail(new DbusDaemonUnavailable(e.message)));
    guard.once('exit', (code) =>
      fail(
        new DbusDaemonUnavailable(
          /not found|No such file/.test(err)
            ? `${daemon} is not installed (Debian package dbus-daemon)`
            : `dbus-daemon exited with ${code}: ${err.trim()}`,
        ),
      ),
    );
    guard.stderr.on('data', (d: Buffer) => (err += d.toString()));
    guard.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const lines = out.split('\n');
      if (lines.length < 3) return;
      clearTimeout(timer);
      guard.removeAllListeners('exit');
      resolve({ guard, pid: Number(lines[1]) });
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
  const found = isAbsolute(daemon)
    ? existsSync(daemon)
    : (process.env.PATH ?? '').split(delimiter).some((d) => d && existsSync(join(d, daemon)));
  if (!found) throw new DbusDaemonUnavailable(`${daemon} is not installed (Debian package dbus-daemon)`);
  const dir = mkdtempSync(join(tmpdir(), 'fk-dbus-'));
  const socket = join(dir, 'system_bus_socket');
  const configFile = join(dir, 'bus.conf');
  writeFileSync(configFile, config(socket));
  let run: Launched;
  try {
    run = await launch(daemon, configFile, timeoutMs);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const exited = (c: ChildProcess): Promise<void> =>
    c.exitCode !== null || c.signalCode !== null
      ? Promise.resolve()
      : new Promise((r) => c.once('exit', () => r()));
  const killDaemon = (): void => {
    try {
      process.kill(run.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  return {
    address: `unix:path=${socket}`,
    dir,
    get pid() {
      return run.pid;
    },
    kill: killDaemon,
    async restart() {
      killDaemon();
      run.guard.stdin!.end('keep\n');
      await exited(run.guard);
      rmSync(socket, { force: true });
      run = await launch(daemon, configFile, timeoutMs);
    },
    async stop() {
      run.guard.stdin!.end(); // the guard stops the daemon and waits for it
      await exited(run.guard);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
