import { createInterface, type Interface } from 'node:readline';
import { asDeviceId, type DiscoveredDevice, type Transport } from '../../ble-devices/transport.ts';
import type { KitEvent } from '../events.ts';
import { PairingSessions, type PairingSessionView } from '../instruments/pairing.ts';
import { LiveBus } from '../live-bus.ts';
import { createLogger } from '../log.ts';
import { CliError, EXIT_USAGE, stringFlag, type CliArgs, type CliIo } from './command.ts';

/** Lines from stdin, one question at a time (a terminal or a pipe). */
class Answers {
  readonly #rl: Interface;
  readonly #lines: string[] = [];
  #wake: (() => void) | null = null;
  #closed = false;

  constructor(io: CliIo) {
    this.#rl = createInterface({ input: io.stdin, terminal: false });
    this.#rl.on('line', (l) => {
      this.#lines.push(l.trim());
      this.#wake?.();
    });
    this.#rl.on('close', () => {
      this.#closed = true;
      this.#wake?.();
    });
  }

  async next(signal: AbortSignal): Promise<string | null> {
    while (this.#lines.length === 0) {
      if (this.#closed || signal.aborted) return null;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
      this.#wake = null;
    }
    return this.#lines.shift()!;
  }

  close(): void {
    this.#rl.close();
  }
}

async function openTransport(kind: string, busAddress: string | undefined): Promise<Transport> {
  if (kind !== 'bluez')
    throw new CliError(
      `--ble ${kind} cannot pair: only BlueZ keeps bonds (noble does Just Works only)`,
      EXIT_USAGE,
    );
  const { NodeBleTransport } = await import('../../ble-devices/transports/node-ble/index.ts');
  const transport = new NodeBleTransport(busAddress ? { busAddress } : {});
  const probe = await transport.probe();
  if (!probe.ok) {
    await transport.close();
    throw new CliError(
      `BlueZ unavailable: ${probe.reason}\n(no instruments? run \`fieldkit sim bluez\` and export the DBUS_SYSTEM_BUS_ADDRESS it prints)`,
      1,
    );
  }
  return transport;
}

function line(d: DiscoveredDevice, n: number): string {
  return `  ${String(n).padStart(2)}. ${d.name.padEnd(24)} ${d.id}${d.rssi === undefined ? '' : `  ${d.rssi} dBm`}`;
}

/**
 * `fieldkit instruments pair [ADDRESS]`: pairs and bonds one instrument through BlueZ from the
 * terminal, asking what the instrument asks (the passkey it shows, a number to confirm) exactly as
 * the tablet is asked through the manager's API; the same {@link PairingSessions} runs both.
 */
export async function runInstrumentsPair(args: CliArgs, io: CliIo): Promise<number> {
  const scanMs = Number(stringFlag(args, 'scan-ms') ?? 5000);
  if (!Number.isInteger(scanMs) || scanMs < 100 || scanMs > 120_000)
    throw new CliError(`--scan-ms expects 100..120000, got '${stringFlag(args, 'scan-ms')}'`, EXIT_USAGE);
  const wanted = args.positionals[1]?.toUpperCase();
  const transport = await openTransport(stringFlag(args, 'ble') ?? 'bluez', io.env.DBUS_SYSTEM_BUS_ADDRESS);
  const bus = new LiveBus<KitEvent>();
  const sessions = new PairingSessions({ transport, bus, log: createLogger('silent') });
  const answers = new Answers(io);
  try {
    io.stdout(`Scanning for ${Math.round(scanMs / 1000)} s...\n`);
    const found = await sessions.discover(scanMs, io.stopSignal);
    let device = wanted ? found.find((d) => d.id.toUpperCase() === wanted) : undefined;
    if (wanted && !device) {
      io.stderr(`fieldkit instruments: ${wanted} was not heard; is it switched on and in pairing mode?\n`);
      return 1;
    }
    if (!device) {
      if (found.length === 0) {
        io.stderr('fieldkit instruments: no instruments heard\n');
        return 1;
      }
      io.stdout(
        `Instruments nearby:\n${found.map((d, i) => line(d, i + 1)).join('\n')}\nPair which one? [1-${found.length}] `,
      );
      const pick = Number(await answers.next(io.stopSignal));
      device = found[pick - 1];
      if (!device) {
        io.stderr('fieldkit instruments: no instrument chosen\n');
        return 1;
      }
    }
    return await pairOne(sessions, bus, answers, { id: asDeviceId(device.id), name: device.name }, io);
  } finally {
    answers.close();
    await sessions.close();
    await transport.close();
  }
}

async function pairOne(
  sessions: PairingSessions,
  bus: LiveBus<KitEvent>,
  answers: Answers,
  device: { id: ReturnType<typeof asDeviceId>; name: string },
  io: CliIo,
): Promise<number> {
  let sessionId = '';
  let asked: PairingSessionView['prompt'] = null;
  const ask = async (view: PairingSessionView): Promise<void> => {
    const p = view.prompt;
    if (!p || p === asked) return;
    asked = p;
    if (p.kind === 'display-passkey') {
      io.stdout(`Type ${String(p.passkey).padStart(6, '0')} on ${view.deviceName}\n`);
      return;
    }
    io.stdout(
      p.kind === 'enter-passkey'
        ? `Passkey shown on ${view.deviceName}: `
        : p.kind === 'confirm-passkey'
          ? `Does ${view.deviceName} show ${String(p.passkey).padStart(6, '0')}? [y/N] `
          : `Allow pairing with ${view.deviceName}? [y/N] `,
    );
    const text = await answers.next(io.stopSignal);
    if (text === null) {
      sessions.cancel(view.id);
      return;
    }
    const answer =
      p.kind === 'enter-passkey' ? (/^\d{1,6}$/.test(text) ? Number(text) : text) : /^y(es)?$/i.test(text);
    const r = sessions.answer(view.id, answer);
    if (!r.ok) {
      io.stderr(
        `fieldkit instruments: ${r.reason === 'invalid_answer' ? 'that is not a 6-digit passkey' : r.reason}\n`,
      );
      sessions.cancel(view.id);
    }
  };
  const off = bus.subscribe((e) => {
    if (e.type === 'pairing' && e.session.id === sessionId && e.session.state === 'waiting-for-answer')
      void ask(e.session);
    if (e.type === 'pairing' && e.session.id === sessionId && e.session.state === 'showing-passkey')
      void ask(e.session);
  });
  const onStop = (): void => void sessions.cancel(sessionId);
  io.stopSignal.addEventListener('abort', onStop, { once: true });
  try {
    io.stdout(`Pairing with ${device.name} (${device.id})...\n`);
    const started = sessions.start(device);
    sessionId = started.id;
    const end = await sessions.settled(sessionId);
    if (end.state === 'bonded') {
      io.stdout(`Paired and bonded: ${end.deviceName} (${end.deviceId})\n`);
      return 0;
    }
    io.stderr(`fieldkit instruments: pairing ${end.state}${end.error ? `: ${end.error}` : ''}\n`);
    return 1;
  } finally {
    off();
    io.stopSignal.removeEventListener('abort', onStop);
  }
}

/**
 * `fieldkit instruments <subcommand>`: `pair` lives here; `list` and `forget` come with the
 * instrument manager's remembered instruments.
 */
export async function runInstruments(args: CliArgs, io: CliIo): Promise<number> {
  const sub = args.positionals[0];
  if (sub === 'pair') return runInstrumentsPair(args, io);
  throw new CliError(`unknown subcommand '${sub ?? ''}' (have: pair)`, EXIT_USAGE);
}
