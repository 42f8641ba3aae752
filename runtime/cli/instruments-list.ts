import type { InstrumentRecord } from '../../store/index.ts';
import type { CliArgs, CliIo } from './command.ts';
import { openStoreForCli } from './open-store.ts';
import { resolveStoreAccess } from './store-access.ts';

const cell = (v: string | number | boolean | null): string => (v === null ? '-' : String(v));

/** One line per remembered instrument, columns aligned, for a person at the laptop. */
export function instrumentTable(records: readonly InstrumentRecord[]): string {
  const head = [
    'ADDRESS',
    'PROFILE',
    'NAME',
    'MODEL',
    'SERIAL',
    'FIRMWARE',
    'BONDED',
    'BATTERY',
    'LAST SEQ',
    'LAST SEEN',
  ];
  const rows = records.map((r) => [
    r.address,
    r.profile,
    r.name,
    cell(r.model),
    cell(r.serial),
    cell(r.firmware),
    r.bonded ? 'yes' : 'no',
    r.battery === null ? '-' : `${r.battery}%`,
    cell(r.lastSequence),
    cell(r.lastSeenAt),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) =>
    row
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}

/**
 * `fieldkit instruments list [--json]`: the instruments the kit remembers, read from the store
 * (works whether or not the kit runs; the kit writes its bookkeeping within a second or so).
 */
export async function listInstruments(args: CliArgs, io: CliIo): Promise<number> {
  const access = await resolveStoreAccess(args, io);
  const store = await openStoreForCli(access, 'cli-instruments', false);
  try {
    const records = await store.listInstruments();
    if (args.values.json === true) {
      io.stdout(
        JSON.stringify(
          records.map(({ recentReadings: _r, ...rest }) => rest),
          null,
          2,
        ) + '\n',
      );
    } else if (records.length === 0) {
      io.stdout('no remembered instruments (the kit remembers them when the tablet adds one)\n');
    } else {
      io.stdout(instrumentTable(records));
    }
    return 0;
  } finally {
    await store.close();
  }
}
