import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  acquireKitLock,
  describeKitHolder,
  kitLockHolder,
  type KitLock,
  type RecordStore,
} from '../../store/index.ts';
import { parseKitConfig } from '../config.ts';
import { parseSerialOption } from '../instruments/serial-option.ts';
import { startKit, type KitLinkSetup } from '../kit.ts';
import type { Logger } from '../log.ts';
import type { KitConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { CliError, EXIT_USAGE, stringFlag, type CliArgs, type CliIo } from './command.ts';
import { openStoreForCli } from './open-store.ts';
import { packageVersion } from './version.ts';
import { resolveStoreAccess } from './store-access.ts';

function numberFlag(args: CliArgs, name: string): number | undefined {
  const raw = stringFlag(args, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new CliError(`--${name} expects a number, got '${raw}'`, EXIT_USAGE);
  return n;
}

/** The implementation of `fieldkit start` (metadata and purpose: commands.ts). */
export async function runStart(args: CliArgs, io: CliIo): Promise<number> {
  const config = parseConfig(args, io.env);
  const access = await resolveStoreAccess(args, io);
  const log = createLogger(config.logLevel);
  // Refuse before opening anything; the lock taken after the open settles a race of two starts.
  const holder = kitLockHolder(access.path);
  if (holder) throw new CliError(describeKitHolder(access.path, holder), 1);
  // A new store means a new kit CA: load the certificate library while Argon2id derives the key
  // (it runs off the main thread), instead of after it.
  const prefetch = access.exists ? undefined : import('../http/tls/issue.ts').catch(() => undefined);
  const store = await openStoreForCli(access, 'kit', true, (err, work) =>
    log.error({ err }, `${work} failed: ${err.message}`),
  );
  await prefetch;
  let lock: KitLock;
  try {
    lock = acquireKitLock(access.path, 'start');
  } catch (err) {
    await store.close();
    throw new CliError(err instanceof Error ? err.message : String(err), 1);
  }
  // A forced exit (a second Ctrl-C) still removes the pid file; a crash leaves a stale one.
  const releaseOnExit = (): void => lock.release();
  process.once('exit', releaseOnExit);
  let kit;
  let simLink: { stop(): Promise<void> } | undefined;
  try {
    const link = await linkSetup(args, io, config, store, log);
    simLink = link?.simLink;
    kit = await startKit(config, store, log, packageVersion(), link ? { link: link.setup } : {});
  } catch (err) {
    await simLink?.stop();
    await store.close();
    lock.release();
    process.removeListener('exit', releaseOnExit);
    throw new CliError(err instanceof Error ? err.message : String(err), 1);
  }
  io.stdout(
    `Field kit ${packageVersion()} is running; instruments through ${kit.via}.\n` +
      `Store: ${access.path}${access.exists ? '' : ' (new)'}\n` +
      `Open: ${kit.onboardingUrl}  (on this computer: the kit's certificate for tablets, pairing codes)\n` +
      `Tablets: ${kit.tabletUrl}\n` +
      `CA fingerprint (SHA-256): ${kit.tls.material.rootFingerprint}\n` +
      ((await store.listTablets()).some((t) => t.status === 'active')
        ? ''
        : `No tablet is paired yet: on this computer open ${kit.onboardingUrl} ("Подключить планшет"),\n` +
          `or run \`fieldkit tablets pair-code --role feldsher\` in another terminal.\n`) +
      (kit.link
        ? `Link: ${simLink ? 'local hub with a simulated specialist' : stringFlag(args, 'hub')}\n`
        : ''),
  );
  await new Promise<void>((resolve) => {
    if (io.stopSignal.aborted) resolve();
    io.stopSignal.addEventListener('abort', () => resolve(), { once: true });
  });
  await kit.stop();
  await simLink?.stop();
  await store.close();
  lock.release();
  process.removeListener('exit', releaseOnExit);
  io.stderr('fieldkit: stopped; every acknowledged reading is committed\n');
  return 0;
}

/** `--serial auto|PATH,...`: USB oximeters (the simulation then stays off unless `--ble sim`). */
function serialConfig(args: CliArgs): { auto: boolean; paths: string[] } | null {
  const raw = stringFlag(args, 'serial');
  if (raw === undefined) return null;
  const parsed = parseSerialOption(raw);
  if (!parsed.ok) throw new CliError(parsed.message, EXIT_USAGE);
  return { auto: parsed.options.auto ?? false, paths: [...(parsed.options.paths ?? [])] };
}

function parseConfig(args: CliArgs, env: Readonly<Record<string, string | undefined>>) {
  const serial = serialConfig(args);
  const ble = (stringFlag(args, 'ble') ?? env.FIELDKIT_BLE) as 'sim' | undefined;
  try {
    return parseKitConfig({
      dataDir: stringFlag(args, 'data') ?? env.FIELDKIT_DATA ?? 'fieldkit-data',
      http: {
        host: stringFlag(args, 'host') ?? env.FIELDKIT_HOST,
        port: numberFlag(args, 'port') ?? numberFromEnv(env.FIELDKIT_PORT),
        httpsPort: numberFlag(args, 'https-port') ?? numberFromEnv(env.FIELDKIT_HTTPS_PORT),
      },
      serial,
      sim: {
        // Simulated readings never mix with a real instrument's in the patient records, unless
        // asked for by name (`--serial ... --ble sim`, a demonstration).
        enabled: serial === null || ble === 'sim',
        oximeterRateHz: numberFlag(args, 'oximeter-hz'),
        bpIntervalMs: numberFlag(args, 'bp-interval-ms'),
      },
      ble,
      storage: storageConfig(args, env),
      utcOffsetMinutes: -new Date().getTimezoneOffset(),
      logLevel: (stringFlag(args, 'log-level') ?? env.FIELDKIT_LOG_LEVEL) as 'info' | undefined,
    });
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError((err as Error).message, EXIT_USAGE);
  }
}

function storageConfig(
  args: CliArgs,
  env: Readonly<Record<string, string | undefined>>,
): { lowSpaceBytes?: number; checkIntervalMs?: number } {
  const mb = numberFlag(args, 'low-space-mb') ?? numberFromEnv(env.FIELDKIT_LOW_SPACE_MB);
  return {
    lowSpaceBytes: mb === undefined ? undefined : Math.round(mb * 1024 * 1024),
    checkIntervalMs: numberFlag(args, 'disk-check-ms'),
  };
}

function numberFromEnv(v: string | undefined): number | undefined {
  return v === undefined || v === '' ? undefined : Number(v);
}

/**
 * The kit's link: to a real hub (--hub, with its certificate and the organisation key), or, with
 * --sim-link (`npm start`), to a local hub with a simulated specialist, kept beside the data
 * directory (`<data>-sim-link`, its own world: a restore of the kit does not touch it); else none.
 */
async function linkSetup(
  args: CliArgs,
  io: CliIo,
  config: KitConfig,
  store: RecordStore,
  log: Logger,
): Promise<{ setup: KitLinkSetup; simLink?: { stop(): Promise<void> } } | undefined> {
  const hubUrl = stringFlag(args, 'hub') ?? io.env.FIELDKIT_HUB;
  if (hubUrl) {
    const certFile = stringFlag(args, 'hub-cert') ?? io.env.FIELDKIT_HUB_CERT;
    const orgKeyText = stringFlag(args, 'org-key') ?? io.env.FIELDKIT_ORG_KEY;
    if (!certFile || !orgKeyText)
      throw new CliError('--hub needs --hub-cert (its certificate) and --org-key (org.pub)', EXIT_USAGE);
    const { readOrgPublicKey } = await import('./org-command.ts');
    const directoryFile = stringFlag(args, 'directory');
    if (directoryFile && !existsSync(directoryFile))
      throw new CliError(`no directory file ${directoryFile}`, 1);
    return {
      setup: {
        store,
        orgKey: readOrgPublicKey(orgKeyText),
        hub: { url: hubUrl, certPem: readFileSync(certFile, 'utf8') },
        ...(directoryFile ? { directory: readFileSync(directoryFile) } : {}),
      },
    };
  }
  if (args.values['sim-link'] !== true) return undefined;
  const { startSimLink } = await import('../sim-link.ts');
  const sim = await startSimLink({
    kitStore: store,
    dir: `${resolve(config.dataDir)}-sim-link`,
    log,
    ...(numberFlag(args, 'specialist-answer-ms') !== undefined
      ? { answerAfterMs: numberFlag(args, 'specialist-answer-ms'), readAfterMs: 0 }
      : {}),
    ...(args.values['specialist-live'] === true || args.values['specialist-call'] === true
      ? {
          live: {
            watch: args.values['specialist-live'] === true,
            ...(args.values['specialist-call'] === true ? { call: {} } : {}),
          },
        }
      : {}),
  });
  return {
    setup: { store, orgKey: sim.orgKey, hub: sim.hub, directory: sim.directory },
    simLink: sim,
  };
}
