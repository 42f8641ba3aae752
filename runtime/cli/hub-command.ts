import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fromBase64Url, toBase64Url, toHex } from '../../crypto/bytes.ts';
import { keyFingerprint } from '../../crypto/directory.ts';
import { acquireKitLock, describeKitHolder, kitLockHolder } from '../../store/index.ts';
import type { RecordStore } from '../../store/index.ts';
import { EnrolCodes } from '../hub/enrol-codes.ts';
import { Enrolments } from '../hub/enrolment.ts';
import { startHub } from '../hub/hub.ts';
import { HUB_CERT_FILE, LEGACY_CERT_FILE, loadHubTls } from '../hub/tls.ts';
import { createLogger } from '../log.ts';
import { CliError, EXIT_USAGE, stringFlag, type CliArgs, type CliIo } from './command.ts';
import { openStoreForCli } from './open-store.ts';
import { resolveStoreAccess } from './store-access.ts';

/** The hub's data directory: --data, FIELDKIT_HUB_DATA, or ./fieldkit-hub-data. */
function hubArgs(args: CliArgs, io: CliIo): CliArgs {
  const data = stringFlag(args, 'data') ?? io.env.FIELDKIT_HUB_DATA ?? 'fieldkit-hub-data';
  return { ...args, values: { ...args.values, data } };
}

/** The implementation of `fieldkit hub` (metadata and purpose: commands.ts). */
export async function runHub(args: CliArgs, io: CliIo): Promise<number> {
  const [action, ...rest] = args.positionals;
  const a = hubArgs(args, io);
  switch (action) {
    case undefined:
      return serveHub(a, io);
    case 'enroll':
      return withHubStore(a, io, true, (store) => enroll(a, io, store, rest));
    case 'enroll-code':
      return withHubStore(a, io, true, (store) => enrollCode(a, io, store, rest));
    case 'revoke':
      return withHubStore(a, io, false, (store) => revoke(io, store, rest));
    case 'list':
      return withHubStore(a, io, false, (store) => list(a, io, store));
    default:
      throw new CliError(
        `unknown hub action '${action}' (have: enroll, enroll-code, revoke, list; none to run the hub)`,
        EXIT_USAGE,
      );
  }
}

async function withHubStore(
  args: CliArgs,
  io: CliIo,
  create: boolean,
  fn: (store: RecordStore) => Promise<number>,
): Promise<number> {
  const access = await resolveStoreAccess(args, io);
  const store = await openStoreForCli(access, 'cli-hub', create);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

function deviceKey(text: string | undefined): Uint8Array {
  const key = text ? fromBase64Url(text) : undefined;
  if (key?.byteLength !== 32)
    throw new CliError(
      'a device key is 32 bytes of base64url (the "key" of `fieldkit org device`)',
      EXIT_USAGE,
    );
  return key;
}

async function enroll(args: CliArgs, io: CliIo, store: RecordStore, rest: string[]): Promise<number> {
  const [identity, keyText] = rest;
  if (!identity) throw new CliError('usage: fieldkit hub enroll <identity> <device-key>', EXIT_USAGE);
  const key = deviceKey(keyText);
  const role = stringFlag(args, 'role') ?? 'kit';
  if (role !== 'kit' && role !== 'specialist' && role !== 'coordinator')
    throw new CliError('--role is kit, specialist or coordinator', EXIT_USAGE);
  const label = stringFlag(args, 'label');
  try {
    await new Enrolments(store).enroll({ device: toHex(key), identity, role, ...(label ? { label } : {}) });
  } catch (error) {
    throw new CliError(
      `cannot enrol: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
      EXIT_USAGE,
    );
  }
  io.stdout(`Enrolled device ${await keyFingerprint(key)} for ${identity} (${role}).\n`);
  return 0;
}

async function enrollCode(args: CliArgs, io: CliIo, store: RecordStore, rest: string[]): Promise<number> {
  const [identity] = rest;
  if (!identity)
    throw new CliError(
      'usage: fieldkit hub enroll-code <identity> --org-key <org.pub> [--role specialist]',
      EXIT_USAGE,
    );
  const role = stringFlag(args, 'role') ?? 'specialist';
  if (role !== 'kit' && role !== 'specialist' && role !== 'coordinator')
    throw new CliError('--role is kit, specialist or coordinator', EXIT_USAGE);
  const orgKeyText = stringFlag(args, 'org-key');
  if (!orgKeyText)
    throw new CliError(
      "give --org-key (the organisation's org.pub): the code carries its check, which the console verifies the hub's directory against",
      EXIT_USAGE,
    );
  const { readOrgPublicKey } = await import('./org-command.ts');
  const orgKey = readOrgPublicKey(orgKeyText);
  let issued: { code: string; expiresAt: Date };
  try {
    issued = await new EnrolCodes(store).issue(identity, role, undefined, orgKey);
  } catch (error) {
    throw new CliError(
      `cannot issue a code: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
      EXIT_USAGE,
    );
  }
  io.stdout(
    `One-time enrolment code for ${identity} (${role}): ${issued.code}\nValid once, until ${issued.expiresAt.toISOString()}. Type it into the console's enrolment screen (or open https://<hub>/#code=${issued.code.replace(/-/g, '')}); it ends with the check of organisation key ${await keyFingerprint(orgKey)}. Then add the device to the directory (fieldkit hub list --json, fieldkit org sign).\n`,
  );
  return 0;
}

async function revoke(io: CliIo, store: RecordStore, rest: string[]): Promise<number> {
  const key = deviceKey(rest[0]);
  if (!(await new Enrolments(store).revoke(toHex(key)))) throw new CliError('no such enrolled device', 1);
  io.stdout(`Revoked device ${await keyFingerprint(key)}; a running hub cuts its sessions within seconds.\n`);
  return 0;
}

async function list(args: CliArgs, io: CliIo, store: RecordStore): Promise<number> {
  if (args.values.json === true) {
    // The active devices as directory.json's `devices` entries (base64url keys), per identity:
    // what `fieldkit org sign` needs to list a console that enrolled itself with a code.
    const out: Record<string, { key: string; box: string; label?: string }[]> = {};
    for (const e of await new Enrolments(store).all()) {
      if (e.revokedAt || !e.box) continue;
      (out[e.identity] ??= []).push({
        key: toBase64Url(Buffer.from(e.device, 'hex')),
        box: toBase64Url(Buffer.from(e.box, 'hex')),
        ...(e.label ? { label: e.label } : {}),
      });
    }
    io.stdout(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  for (const e of await new Enrolments(store).all())
    io.stdout(
      `${e.identity}\t${e.role}\t${await keyFingerprint(Buffer.from(e.device, 'hex'))}\t${e.revokedAt ? `revoked ${e.revokedAt}` : `enrolled ${e.enrolledAt}`}${e.label ? `\t${e.label}` : ''}\n`,
    );
  return 0;
}

function numberFlag(args: CliArgs, name: string, fallback: number): number {
  const raw = stringFlag(args, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new CliError(`--${name} expects a port, got '${raw}'`, EXIT_USAGE);
  return n;
}

async function serveHub(args: CliArgs, io: CliIo): Promise<number> {
  const access = await resolveStoreAccess(args, io);
  const holder = kitLockHolder(access.path);
  if (holder) throw new CliError(describeKitHolder(access.path, holder), 1);
  const store = await openStoreForCli(access, 'hub', true);
  const lock = acquireKitLock(access.path, 'hub');
  const release = (): void => lock.release();
  process.once('exit', release);
  const log = createLogger(stringFlag(args, 'log-level') ?? io.env.FIELDKIT_LOG_LEVEL ?? 'info');
  try {
    const directoryFile = stringFlag(args, 'directory');
    if (directoryFile && !existsSync(directoryFile))
      throw new CliError(`no directory file ${directoryFile}`, 1);
    const tls = await loadHubTls(store, {
      dir: access.path,
      ...(stringFlag(args, 'tls-cert') ? { certFile: stringFlag(args, 'tls-cert') } : {}),
      ...(stringFlag(args, 'tls-key') ? { keyFile: stringFlag(args, 'tls-key') } : {}),
      ...(stringFlag(args, 'hostname') ? { extraNames: [stringFlag(args, 'hostname')!] } : {}),
      log,
    });
    let cached: { mtime: number; bytes: Uint8Array } | undefined;
    const hub = await startHub({
      store,
      tls,
      host: stringFlag(args, 'host') ?? '127.0.0.1',
      port: numberFlag(args, 'port', 8471),
      log,
      // Read again when the file changes: a newly signed directory is served without a restart.
      directory: directoryFile
        ? () => {
            try {
              const path = resolve(directoryFile);
              const { mtimeMs } = statSync(path);
              if (!cached || cached.mtime !== mtimeMs) cached = { mtime: mtimeMs, bytes: readFileSync(path) };
              return cached.bytes;
            } catch {
              return cached?.bytes;
            }
          }
        : undefined,
    });
    io.stdout(
      `Field kit hub running: ${hub.url}\n` +
        (stringFlag(args, 'tls-cert')
          ? `TLS certificate: ${tls.fingerprint}\n`
          : tls.legacy
            ? `TLS certificate: ${tls.fingerprint} (an older hub's self-signed ${resolve(access.path, LEGACY_CERT_FILE)}, kept because kits pinned it; its key is not in the encrypted store: move kits to the hub's CA when you can)\n`
            : `TLS root CA: ${tls.fingerprint} (${resolve(access.path, HUB_CERT_FILE)}: give it to kits as --hub-cert and install it on specialists' machines; compare this fingerprint)\n`) +
        `Directory: ${directoryFile ? resolve(directoryFile) : 'none (kits need one signed by the organisation: --directory)'}\n`,
    );
    await new Promise<void>((done) => {
      if (io.stopSignal.aborted) done();
      io.stopSignal.addEventListener('abort', () => done(), { once: true });
    });
    await hub.stop();
    await tls.renewal?.stop();
    io.stderr('fieldkit hub: stopped; every acknowledged item is on disk\n');
    return 0;
  } finally {
    await store.close();
    lock.release();
    process.removeListener('exit', release);
  }
}
