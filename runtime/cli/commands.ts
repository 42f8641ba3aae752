import type { CliCommand } from './command.ts';
import { SIM_BLUEZ_HELP, SIM_BLUEZ_OPTIONS } from './sim-bluez-options.ts';
import { CMS50_OPTION_HELP, CMS50_OPTIONS } from './sim-cms50-options.ts';
import { STORE_ACCESS_HELP, STORE_ACCESS_OPTIONS } from './store-access.ts';

/** The instruments `fieldkit sim` can run (its implementation maps each to a simulator). */
export const SIM_INSTRUMENT_NAMES = ['oximeter', 'bp'] as const;
/** One of {@link SIM_INSTRUMENT_NAMES}. */
export type SimInstrumentName = (typeof SIM_INSTRUMENT_NAMES)[number];

/**
 * `fieldkit start`: the kit itself. Opens (or creates) the encrypted store, connects the
 * instruments (simulated by default), serves the tablet app and prints the URL to open. Holds
 * the data directory's `kit.pid` while it runs, so a second kit or a restore on the same data
 * refuses instead of running under it.
 */
const start: CliCommand = {
  name: 'start',
  summary: 'Run the kit: encrypted store, instruments (simulated by default), tablet app server',
  usage: '',
  options: {
    ...STORE_ACCESS_OPTIONS,
    host: { type: 'string' },
    port: { type: 'string' },
    'https-port': { type: 'string' },
    'oximeter-hz': { type: 'string' },
    'bp-interval-ms': { type: 'string' },
    'log-level': { type: 'string' },
    ble: { type: 'string' },
    'low-space-mb': { type: 'string' },
    'disk-check-ms': { type: 'string' },
  },
  optionHelp: {
    ...STORE_ACCESS_HELP,
    host: 'Address to listen on (default 127.0.0.1; 0.0.0.0 serves the tablets on the Wi-Fi)',
    port: 'Plain HTTP port: onboarding page and CA certificate, else redirects (default 8470, 0 = any free port)',
    'https-port': 'HTTPS port: the tablet app and its API (default 8443, 0 = any free port)',
    'oximeter-hz': 'Simulated oximeter notifications per second (default 2)',
    'bp-interval-ms': 'Pause between simulated BP measurements (default 20000)',
    'log-level': 'fatal|error|warn|info|debug|trace|silent (default info)',
    ble: 'sim (default: simulated instruments behind a simulated BlueZ), bluez (the system D-Bus) or noble',
    'low-space-mb':
      'Warn (log and tablets) below this much free disk for the data (default 256, or FIELDKIT_LOW_SPACE_MB)',
    'disk-check-ms': 'How often the free disk space is read (default 10000)',
  },
  positionals: { min: 0, max: 0 },
  load: async () => (await import('./start-command.ts')).runStart,
};

/**
 * `fieldkit decode <characteristic> <hex>`: reads instrument bytes by hand, the first tool when a
 * device sends something unexpected. Prints the decoded JSON; a bad frame is one typed line, exit 1.
 */
const decode: CliCommand = {
  name: 'decode',
  summary: 'Decode one instrument frame (characteristic UUID or profile name, hex bytes) to JSON',
  usage: '<characteristic> <hex>',
  options: { compact: { type: 'boolean' } },
  optionHelp: { compact: 'Print the JSON on one line' },
  positionals: { min: 2, max: 2 },
  load: async () => (await import('./decode-command.ts')).runDecode,
};

/**
 * `fieldkit sim <instrument>`: runs one simulated instrument and prints what it sends, one JSON
 * line per frame (hex bytes, and the decoded value or the codec's typed error), so a developer
 * with no hardware can see, script and pipe exactly the bytes the kit receives, faults included.
 */
const sim: CliCommand = {
  name: 'sim',
  summary: `Run a simulated instrument (${SIM_INSTRUMENT_NAMES.join(', ')}) and print its frames as JSON lines, a CMS50 on a pty (cms50), or a simulated BlueZ with instruments (bluez)`,
  usage: '<instrument>',
  options: {
    count: { type: 'string' },
    rate: { type: 'string' },
    seed: { type: 'string' },
    'drop-rate': { type: 'string' },
    'corrupt-rate': { type: 'string' },
    ...SIM_BLUEZ_OPTIONS,
    ...CMS50_OPTIONS,
  },
  optionHelp: {
    count: 'Stop after this many frames (default 10, 0 = until Ctrl-C)',
    rate: 'Frames (oximeter) or measurements (bp) per second (default 2)',
    seed: 'Random seed: the same seed gives the same session (default 1)',
    'drop-rate': 'Probability 0..1 that a frame is lost on air',
    'corrupt-rate': 'Probability 0..1 that a frame arrives truncated',
    ...SIM_BLUEZ_HELP,
    ...CMS50_OPTION_HELP,
  },
  positionals: { min: 1, max: 1 },
  load: async () => (await import('./sim-command.ts')).runSim,
};

/**
 * `fieldkit bench [name...] [--json]`: performance targets live here, never in timed tests. Each
 * benchmark runs its peers side by side in one process run and prints
 * `{"bench": "<name>", "metrics": {...}}` per line with --json.
 */
const bench: CliCommand = {
  name: 'bench',
  summary: 'Run benchmarks (all, or the named ones); --json prints one JSON object per benchmark',
  usage: '[name...]',
  options: { json: { type: 'boolean' }, quick: { type: 'boolean' } },
  optionHelp: {
    json: 'One JSON object per line: {"bench","metrics"}',
    quick: 'Short run (smoke test), numbers are rough',
  },
  positionals: { min: 0, max: 20 },
  load: async () => (await import('./bench-command.ts')).runBench,
};

/**
 * `fieldkit audit verify`: walks the hash-chained audit log and names the first broken link, so
 * an inspector (or the brigade's admin) can show that nobody removed or edited who-saw-what.
 * Exit 0 when the chain holds, 1 when it is broken.
 */
const audit: CliCommand = {
  name: 'audit',
  summary: 'Check the audit log: `audit verify` names the first broken link of the hash chain',
  usage: 'verify',
  options: { ...STORE_ACCESS_OPTIONS },
  optionHelp: { ...STORE_ACCESS_HELP },
  positionals: { min: 1, max: 1 },
  load: async () => (await import('./audit-command.ts')).runAudit,
};

/**
 * `fieldkit check`: scans the whole store and reports per table: every record opens, every
 * posting of the blind index points to a record, every blob has all its chunks, the audit chain
 * holds. Names every damaged record; exit 0 when the store is whole, 1 when anything is damaged.
 * Safe while the kit runs (it only reads).
 */
const check: CliCommand = {
  name: 'check',
  summary: 'Check the whole store: every record, index posting, blob chunk and the audit chain',
  usage: '',
  options: { ...STORE_ACCESS_OPTIONS },
  optionHelp: { ...STORE_ACCESS_HELP },
  positionals: { min: 0, max: 0 },
  load: async () => (await import('./check-command.ts')).runCheck,
};

/**
 * `fieldkit backup <file>`: writes an encrypted, verifiable backup while the kit keeps running
 * (LMDB snapshot from a second process), then reads it back to prove it restores. Everything is
 * copied; records found damaged are named in the output and the backup's trailer (exit 1).
 */
const backup: CliCommand = {
  name: 'backup',
  summary: 'Write an encrypted, verified backup of the store (safe while the kit runs); names damage',
  usage: '<file>',
  options: { ...STORE_ACCESS_OPTIONS },
  optionHelp: { ...STORE_ACCESS_HELP },
  positionals: { min: 1, max: 1 },
  load: async () => (await import('./backup-command.ts')).runBackup,
};

/**
 * `fieldkit restore <file>`: checks the backup completely (every frame and the trailer, then the
 * whole store in a staging copy: every record, index posting, blob and the audit chain) and
 * records the restore in the restored store's audit log before replacing anything; the replaced
 * store is kept beside it. A damaged backup is refused, naming what is damaged; `--salvage`
 * restores every readable record and lists the lost ones (recorded in the audit log too).
 * `--check` finds exactly what a restore would and changes nothing. Refuses while the kit runs on
 * the data directory (its `kit.pid` names a live process).
 */
const restore: CliCommand = {
  name: 'restore',
  summary:
    'Restore the store from a backup after checking it whole (--check: check only; --salvage: restore what is readable)',
  usage: '<file>',
  options: { ...STORE_ACCESS_OPTIONS, check: { type: 'boolean' }, salvage: { type: 'boolean' } },
  optionHelp: {
    ...STORE_ACCESS_HELP,
    check: 'Only check the backup as a restore would; change nothing (allowed while the kit runs)',
    salvage: 'Restore a damaged backup anyway: every readable record, the damaged ones listed and left out',
  },
  positionals: { min: 1, max: 1 },
  load: async () => (await import('./restore-command.ts')).runRestore,
};

/**
 * `fieldkit instruments pair [ADDRESS]`: pairs and bonds an instrument through BlueZ from the
 * terminal (the passkey it shows, a number to confirm), the same session the tablet drives.
 */
const instruments: CliCommand = {
  name: 'instruments',
  summary:
    'Instruments: `instruments pair [ADDRESS]` pairs and bonds one through BlueZ, asking on the terminal',
  usage: 'pair [address]',
  options: { ble: { type: 'string' }, 'scan-ms': { type: 'string' } },
  optionHelp: {
    ble: 'bluez (default; the system D-Bus, or DBUS_SYSTEM_BUS_ADDRESS such as `fieldkit sim bluez` prints)',
    'scan-ms': 'How long to listen for instruments (default 5000)',
  },
  positionals: { min: 1, max: 2 },
  load: async () => (await import('./instruments-pair-command.ts')).runInstruments,
};

/**
 * `fieldkit tablets list | revoke <id> | pair-code`: who may use the kit. `pair-code` makes a
 * one-time code for a role and prints it with a QR code of the pairing URL (a second process on
 * the store: the running kit sees the code at once); `revoke` ends a tablet's access at its next
 * request, the kit running or not.
 */
const tablets: CliCommand = {
  name: 'tablets',
  summary: 'Paired tablets: `tablets list`, `tablets revoke <id>`, `tablets pair-code --role <role>`',
  usage: 'list | revoke <id> | pair-code',
  options: {
    ...STORE_ACCESS_OPTIONS,
    role: { type: 'string' },
    label: { type: 'string' },
    'https-port': { type: 'string' },
    json: { type: 'boolean' },
  },
  optionHelp: {
    ...STORE_ACCESS_HELP,
    role: 'pair-code: feldsher (default), doctor or coordinator',
    label: 'pair-code: a name for the tablet until it names itself',
    'https-port': "pair-code: the kit's HTTPS port in the printed URL (default 8443, or FIELDKIT_HTTPS_PORT)",
    json: 'list: one JSON array instead of a table',
  },
  positionals: { min: 1, max: 2 },
  load: async () => (await import('./tablets-command.ts')).runTablets,
};

/**
 * `fieldkit passphrase change | recovery-key | reset --recovery-key`: the store's secrets from the
 * command line. `change` rewraps the master key under a new passphrase; `recovery-key` creates
 * (or replaces) the recovery key and prints it once; `reset --recovery-key` sets a new passphrase
 * with the recovery key when the passphrase is lost. Secrets come from FIELDKIT_PASSPHRASE,
 * FIELDKIT_NEW_PASSPHRASE and FIELDKIT_RECOVERY_KEY, or are asked for in a terminal. Each refuses
 * while the kit runs on the data directory, and each is recorded in the audit log.
 */
const passphrase: CliCommand = {
  name: 'passphrase',
  summary: 'Change the passphrase, create a recovery key, or reset a lost passphrase with it',
  usage: 'change | recovery-key | reset --recovery-key',
  options: { ...STORE_ACCESS_OPTIONS, 'recovery-key': { type: 'boolean' } },
  optionHelp: {
    ...STORE_ACCESS_HELP,
    'recovery-key': 'With `reset`: use the recovery key (FIELDKIT_RECOVERY_KEY, or asked for)',
  },
  positionals: { min: 1, max: 1 },
  load: async () => (await import('./passphrase-command.ts')).runPassphrase,
};

/**
 * Every `fieldkit` subcommand, in the order `--help` lists them. Metadata only: each command's
 * implementation (its `*-command.ts`) is imported by `load` when that command runs, so the
 * commands that need no store (decode, sim, --help) never load LMDB. A new command adds its
 * metadata here and exports its `CommandRun` from its own file.
 */
export const COMMANDS: readonly CliCommand[] = [
  start,
  tablets,
  decode,
  sim,
  instruments,
  bench,
  audit,
  check,
  backup,
  restore,
  passphrase,
];
