import type { CliCommand } from './command.ts';
import { SIM_BLUEZ_HELP, SIM_BLUEZ_OPTIONS } from './sim-bluez-options.ts';
import { CMS50_OPTION_HELP, CMS50_OPTIONS } from './sim-cms50-options.ts';
import { STORE_ACCESS_HELP, STORE_ACCESS_OPTIONS } from './store-access.ts';

/**
 * The instruments `fieldkit sim` can run (its implementation maps each to a simulator;
 * sim/instruments/catalogue.ts's SIM_KINDS, held equal by the sim command's test).
 */
export const SIM_INSTRUMENT_NAMES = [
  'oximeter',
  'bp',
  'thermometer',
  'glucose',
  'scale',
  'heart-rate',
] as const;
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
    serial: { type: 'string' },
    hub: { type: 'string' },
    'hub-cert': { type: 'string' },
    'org-key': { type: 'string' },
    directory: { type: 'string' },
    'sim-link': { type: 'boolean' },
    'specialist-answer-ms': { type: 'string' },
    'specialist-live': { type: 'boolean' },
    'specialist-call': { type: 'boolean' },
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
    serial:
      'USB oximeters instead of the simulation: auto (CMS50 cables by USB id) and/or port paths, comma-separated',
    hub: 'The hub to link to (https://host:port), to send consultations to specialists',
    'hub-cert': "With --hub: the hub's certificate (PEM file), pinned",
    'org-key': 'With --hub: the organisation public key (org.pub file or base64url)',
    directory:
      'With --hub: a signed directory to pin at set-up (else the hub serves it, checked against --org-key)',
    'sim-link':
      'Also run a local hub and a simulated specialist and link to them (kept in <data>-sim-link; `npm start` does)',
    'specialist-answer-ms': 'Simulated specialist: pause before its answer (default 4000)',
    'specialist-live':
      "Simulated specialist: watch each consultation's vitals live over the direct path, as the console does",
    'specialist-call':
      "Simulated specialist: ring the kit's tablets after each consultation, a synthetic voice held 20 s",
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
  summary: `Run a simulated instrument (${SIM_INSTRUMENT_NAMES.join(', ')}) and print its frames as JSON lines, a CMS50 on a pty (cms50), a simulated BlueZ with instruments (bluez), or a shaped lossy link between two network namespaces with cuts (net, root)`,
  usage: '<instrument>',
  options: {
    count: { type: 'string' },
    rate: { type: 'string' },
    seed: { type: 'string' },
    'drop-rate': { type: 'string' },
    'corrupt-rate': { type: 'string' },
    'disconnect-after': { type: 'string' },
    records: { type: 'string' },
    'racp-drop-after': { type: 'string' },
    clock: { type: 'string' },
    resend: { type: 'string' },
    battery: { type: 'string' },
    ...SIM_BLUEZ_OPTIONS,
    ...CMS50_OPTIONS,
    'rate-kbit': { type: 'string' },
    loss: { type: 'string' },
    cuts: { type: 'string' },
    'cut-min-s': { type: 'string' },
    'cut-max-s': { type: 'string' },
    'up-min-s': { type: 'string' },
    'up-max-s': { type: 'string' },
    sweep: { type: 'boolean' },
  },
  optionHelp: {
    count: 'Stop after this many frames (default 10; glucose: when the RACP transfer ends; 0 = until Ctrl-C)',
    rate: 'Frames (oximeter, heart-rate) or measurements (bp, thermometer, scale) per second (default 2)',
    seed: 'Random seed: the same seed gives the same session (default 1)',
    'drop-rate': 'Probability 0..1 that a frame is lost on air',
    'corrupt-rate': 'Probability 0..1 that a frame arrives truncated',
    'disconnect-after': 'Drop the link after this many frames (once)',
    records: 'Stored records: glucose RACP memory (default 500), bp/thermometer/scale memory (default 0)',
    'racp-drop-after': 'Glucose: drop the link after this many records of the RACP transfer',
    resend: 'bp/thermometer/scale memory on connection: new (default) or all',
    battery: 'Battery level at start, percent (default 90)',
    ...SIM_BLUEZ_HELP,
    ...CMS50_OPTION_HELP,
    // After the bluez help: one line for the flag both read.
    clock: 'Device clock: correct, 1970, 2019 or utc (default correct; bluez: every instrument)',
    'rate-kbit': 'net: tbf rate each way in kbit/s (default 256)',
    loss: 'net: random loss 0..1 on each receiving side (iptables statistic; default 0)',
    cuts: 'net: random silent cuts to play (default 0)',
    'cut-min-s': 'net: shortest cut in seconds (default 5)',
    'cut-max-s': 'net: longest cut in seconds (default 60)',
    'up-min-s': 'net: shortest link-up time between cuts (default 10)',
    'up-max-s': 'net: longest link-up time between cuts (default 60)',
    sweep: 'net: only remove namespaces left behind by dead runs',
  },
  positionals: { min: 1, max: 1 },
  load: async () => (await import('./sim-command.ts')).runSim,
};

/**
 * `fieldkit instruments list|forget|pair`: the instruments the kit remembers (model, serial,
 * firmware, bond, battery, last record number, last seen), forgetting one, and pairing one
 * through BlueZ with the terminal answering its questions (passkey, confirmation).
 */
const instruments: CliCommand = {
  name: 'instruments',
  summary:
    'Instruments: list | forget <address> (remembered ones) | pair [address] (bond one through BlueZ, asking on the terminal)',
  usage: '<list|forget|pair> [address]',
  options: {
    ...STORE_ACCESS_OPTIONS,
    json: { type: 'boolean' },
    ble: { type: 'string' },
    'scan-ms': { type: 'string' },
  },
  optionHelp: {
    ...STORE_ACCESS_HELP,
    json: 'list: print JSON instead of a table',
    ble: 'pair: bluez (default; the system D-Bus, or DBUS_SYSTEM_BUS_ADDRESS such as `fieldkit sim bluez` prints)',
    'scan-ms': 'pair: how long to listen for instruments (default 5000)',
  },
  positionals: { min: 1, max: 2 },
  load: async () => (await import('./instruments-command.ts')).runInstruments,
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
 * `fieldkit export --fhir (--visit ID | --shift DATE | --since TIME)`: the visits as one FHIR R4
 * transaction Bundle for the clinic's record system (Patient, Encounter, the brigade, Devices,
 * Observations with their Provenance down to the instrument bytes, photos and voice notes),
 * streamed visit by visit so a season of visits exports in flat memory. Written to a temporary
 * name and renamed when complete, so a file that exists is a whole bundle.
 */
const exportCommand: CliCommand = {
  name: 'export',
  summary: 'Export visits as a FHIR R4 transaction Bundle (--fhir; --visit, --shift or --since)',
  usage: '',
  options: {
    ...STORE_ACCESS_OPTIONS,
    fhir: { type: 'boolean' },
    visit: { type: 'string' },
    shift: { type: 'string' },
    since: { type: 'string' },
    out: { type: 'string' },
    profile: { type: 'string' },
    brigade: { type: 'string' },
  },
  optionHelp: {
    ...STORE_ACCESS_HELP,
    fhir: 'FHIR R4 JSON (required: the only format)',
    visit: 'One visit by id (v-...)',
    shift: "A shift: the visits opened on that day, YYYY-MM-DD in the kit's time zone",
    since: 'The visits opened at or after an ISO 8601 time (2026-11-22T08:00+03:00)',
    out: 'Write to this file (default: stdout); written whole or not at all',
    profile: 'Identifier systems: ru-core (HL7 Russia core, default) or n3 (N3.Health urn:oid)',
    brigade: 'Brigade roster JSON for Practitioner/PractitionerRole/Organization (or FIELDKIT_BRIGADE)',
  },
  positionals: { min: 0, max: 0 },
  load: async () => (await import('./export-command.ts')).runExport,
};

/**
 * `fieldkit import (--fhir FILE | --csv FILE)`: the day's patient list from the clinic's system,
 * merged by СНИЛС, полис ОМС and passport without duplicates. Every entry is checked first and
 * conflicts are reported per entry; the list goes in whole in one commit, or not at all unless
 * `--partial`. Files over 64 MB are refused before they are read.
 */
const importCommand: CliCommand = {
  name: 'import',
  summary: 'Import the patient list from a FHIR Bundle of Patient or a CSV (all or nothing; --partial)',
  usage: '',
  options: {
    ...STORE_ACCESS_OPTIONS,
    fhir: { type: 'string' },
    csv: { type: 'string' },
    partial: { type: 'boolean' },
    encoding: { type: 'string' },
  },
  optionHelp: {
    ...STORE_ACCESS_HELP,
    fhir: 'A FHIR R4 JSON Bundle of Patient resources',
    csv: 'A CSV with the header of runtime/fhir/README.md (UTF-8 or Windows-1251, ; or , separated)',
    partial: 'Import the acceptable entries even when others are refused (default: all or nothing)',
    encoding: 'The CSV encoding, utf-8 or windows-1251 (default: detected)',
  },
  positionals: { min: 0, max: 0 },
  load: async () => (await import('./import-command.ts')).runImport,
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
 * `fieldkit hub`: the hub, where there is internet: HTTPS and a WebSocket for kits and
 * specialist devices, a store-and-forward mailbox of sealed envelopes it cannot read, and the
 * organisation-signed directory. `hub enroll|revoke|list` manage the devices it routes between.
 */
const hub: CliCommand = {
  name: 'hub',
  summary:
    'Run the hub (mailbox + signaling); `hub enroll <identity> <key>`, `hub enroll-code <identity> --org-key org.pub`, `hub revoke <key>`, `hub list`',
  usage:
    '[enroll <identity> <device-key> | enroll-code <identity> --org-key <org.pub> | revoke <device-key> | list]',
  options: {
    ...STORE_ACCESS_OPTIONS,
    host: { type: 'string' },
    port: { type: 'string' },
    directory: { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    hostname: { type: 'string' },
    'org-key': { type: 'string' },
    role: { type: 'string' },
    label: { type: 'string' },
    json: { type: 'boolean' },
    'log-level': { type: 'string' },
  },
  optionHelp: {
    data: "The hub's data directory (default ./fieldkit-hub-data, or FIELDKIT_HUB_DATA)",
    dev: STORE_ACCESS_HELP.dev ?? '',
    host: 'Address to listen on (default 127.0.0.1; 0.0.0.0 for the internet)',
    port: 'HTTPS port (default 8471, 0 = any free port)',
    directory: 'The signed directory file to serve (from `fieldkit org sign`); re-read when it changes',
    'tls-cert': "Use this certificate chain (PEM) instead of the hub's own CA",
    'tls-key': 'The private key (PEM) of --tls-cert',
    hostname: "A host name or address (beyond its own) to put in the hub's certificate",
    'org-key':
      "For enroll-code: the organisation's public key (org.pub, or its base64url); the code carries its check",
    role: 'For enroll: kit, specialist or coordinator (default kit); for enroll-code: default specialist',
    label: 'For enroll: a note on the device',
    json: 'For list: active self-enrolled devices per identity, as directory.json device entries',
    'log-level': 'fatal|error|warn|info|debug|trace|silent (default info)',
  },
  positionals: { min: 0, max: 3 },
  load: async () => (await import('./hub-command.ts')).runHub,
};

/**
 * `fieldkit org`: the organisation key, on an offline machine. `org init` creates it, `org sign`
 * signs the directory of kits, specialists and their device keys that every kit verifies,
 * `org show` checks one, `org device` prints a store's device keys for the directory.
 */
const org: CliCommand = {
  name: 'org',
  summary:
    'Organisation key and signed directory: `org init`, `org sign <directory.json>`, `org show <file>`, `org device`',
  usage: 'init | sign <directory.json> | show <directory.fkd> | device',
  options: {
    ...STORE_ACCESS_OPTIONS,
    dir: { type: 'string' },
    out: { type: 'string' },
    'org-key': { type: 'string' },
  },
  optionHelp: {
    ...STORE_ACCESS_HELP,
    dir: 'Where org.key, org.pub and directory.json live (default ./fieldkit-org, or FIELDKIT_ORG_DIR)',
    out: 'For sign: the signed directory to write (default <dir>/directory.fkd)',
    'org-key': 'For show: the organisation public key (base64url, or the org.pub file)',
  },
  positionals: { min: 1, max: 2 },
  load: async () => (await import('./org-command.ts')).runOrg,
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
  hub,
  org,
  exportCommand,
  importCommand,
];
