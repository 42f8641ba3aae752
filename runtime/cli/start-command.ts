import { acquireKitLock, describeKitHolder, kitLockHolder, type KitLock } from '../../store/index.ts';
import { parseKitConfig } from '../config.ts';
import { startKit } from '../kit.ts';
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
  try {
    kit = await startKit(config, store, log, packageVersion());
  } catch (err) {
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
          `or run \`fieldkit tablets pair-code --role feldsher\` in another terminal.\n`),
  );
  await new Promise<void>((resolve) => {
    if (io.stopSignal.aborted) resolve();
    io.stopSignal.addEventListener('abort', () => resolve(), { once: true });
  });
  await kit.stop();
  await store.close();
  lock.release();
  process.removeListener('exit', releaseOnExit);
  io.stderr('fieldkit: stopped; every acknowledged reading is committed\n');
  return 0;
}

function parseConfig(args: CliArgs, env: Readonly<Record<string, string | undefined>>) {
  try {
    return parseKitConfig({
      dataDir: stringFlag(args, 'data') ?? env.FIELDKIT_DATA ?? 'fieldkit-data',
      http: {
        host: stringFlag(args, 'host') ?? env.FIELDKIT_HOST,
        port: numberFlag(args, 'port') ?? numberFromEnv(env.FIELDKIT_PORT),
        httpsPort: numberFlag(args, 'https-port') ?? numberFromEnv(env.FIELDKIT_HTTPS_PORT),
      },
      sim: {
        oximeterRateHz: numberFlag(args, 'oximeter-hz'),
        bpIntervalMs: numberFlag(args, 'bp-interval-ms'),
      },
      ble: (stringFlag(args, 'ble') ?? env.FIELDKIT_BLE) as 'sim' | undefined,
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
