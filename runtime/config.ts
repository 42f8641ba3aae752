import { z } from 'zod';

/**
 * The kit's one options object, validated at construction. Built from flags, environment and
 * defaults by the CLI; tests build it directly. The passphrase is not part of it: secrets travel
 * separately so a logged config can never leak one.
 */
export const KitConfig = z.object({
  dataDir: z.string().min(1),
  http: z.object({
    host: z.string().min(1).default('127.0.0.1'),
    /** Plain HTTP: the onboarding page and the CA certificate; everything else redirects to HTTPS. */
    port: z.number().int().min(0).max(65535).default(8470),
    /** HTTPS: the tablet app and its API, under the kit-local CA. */
    httpsPort: z.number().int().min(0).max(65535).default(8443),
    /** Extra DNS names the kit's certificates cover (besides localhost, the host name and its .local). */
    extraDnsNames: z
      .array(z.string().regex(/^[a-z0-9.-]{1,253}$/i))
      .max(16)
      .default([]),
    /** How often interfaces and certificate expiry are checked. */
    tlsCheckMs: z.number().int().min(1000).max(86_400_000).default(60_000),
  }),
  /** How instruments are reached: simulated (a simulated BlueZ behind node-ble), BlueZ, or noble. */
  ble: z.enum(['sim', 'bluez', 'noble']).default('sim'),
  sim: z.object({
    enabled: z.boolean().default(true),
    oximeterRateHz: z.number().min(0.1).max(60).default(2),
    bpIntervalMs: z.number().int().min(1000).max(3_600_000).default(20_000),
    seed: z.number().int().default(1),
  }),
  /**
   * USB serial oximeters (`--serial auto|PATH,...`): find CMS50 cables by fingerprint and/or open
   * the given ports. Null: no serial transport.
   */
  serial: z
    .object({ auto: z.boolean(), paths: z.array(z.string().startsWith('/')).max(16) })
    .nullable()
    .default(null),
  /** The kit's UTC offset for device wall-clock timestamps (instruments have no zone). */
  utcOffsetMinutes: z
    .number()
    .int()
    .min(-14 * 60)
    .max(14 * 60),
  storage: z
    .object({
      /** Below this many free bytes on the data directory's disk, the kit warns (log + tablets). */
      lowSpaceBytes: z
        .number()
        .int()
        .min(0)
        .default(256 * 1024 * 1024),
      /** How often the free space is read (statfs), besides after every failed write. */
      checkIntervalMs: z.number().int().min(50).max(3_600_000).default(10_000),
    })
    .default({ lowSpaceBytes: 256 * 1024 * 1024, checkIntervalMs: 10_000 }),
  /**
   * The first retry after an instrument's link that worked: quick, so a cuff carried a step too
   * far is back within a second or two (jittered down to half of it).
   */
  firstReconnectDelayMs: z.number().int().min(10).max(600_000).default(500),
  /** The second reconnection delay; later ones double with jitter up to `maxReconnectDelayMs`. */
  reconnectDelayMs: z.number().int().min(10).max(600_000).default(2000),
  maxReconnectDelayMs: z.number().int().min(10).max(3_600_000).default(30_000),
  /** Least time between two GATT operations on one instrument. */
  gattSpacingMs: z.number().int().min(0).max(1000).default(10),
  /**
   * Remember every recognised instrument a scan finds (simulation). Off, the tablet picks which
   * instruments to remember (and pairs them) through the instrument manager.
   */
  autoRemember: z.boolean().default(true),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
/** The validated configuration. */
export type KitConfig = z.output<typeof KitConfig>;
/** What callers provide (defaults filled in by the schema). */
export type KitConfigInput = z.input<typeof KitConfig>;

/** Validates a config; a bad value names its path in one line. */
export function parseKitConfig(input: KitConfigInput): KitConfig {
  // An ephemeral HTTP port (0, as tests ask) with no HTTPS port given means an ephemeral HTTPS
  // port too: two kits started that way never fight over the default 8443.
  const ephemeral = input.http?.port === 0 && input.http.httpsPort === undefined;
  const result = KitConfig.safeParse(ephemeral ? { ...input, http: { ...input.http, httpsPort: 0 } } : input);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new Error(`invalid configuration: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return result.data;
}
