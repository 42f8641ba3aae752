import { z } from 'zod';

const iso = z.string().datetime({ offset: true });
const text = (max: number) => z.string().max(max);

/**
 * What the kit keeps about an instrument it was told to remember: identity (transport address,
 * Device Information strings), whether it is bonded, and the bookkeeping that survives restarts
 * (last seen, battery, the last RACP sequence number stored, fingerprints of recent readings from
 * instruments without sequence numbers, and the last measured clock offset). Encrypted like
 * every record: a serial number ties an instrument to its patient.
 */
export const InstrumentInput = z.object({
  /** The transport's device id (BLE address, pty path, sim id). */
  address: z.string().min(1).max(128),
  transport: z.enum(['sim', 'node-ble', 'noble', 'serial']),
  name: text(128),
  /** Driver profile (`glucose`, `blood-pressure`, ...). */
  profile: z.string().min(1).max(64),
  manufacturer: text(128).nullable().default(null),
  model: text(128).nullable().default(null),
  serial: text(128).nullable().default(null),
  firmware: text(128).nullable().default(null),
  bonded: z.boolean().default(false),
});
/** What a caller hands to `rememberInstrument`. */
export type InstrumentInput = z.input<typeof InstrumentInput>;

/** The fields that change while the kit runs (`updateInstrument` takes any subset). */
export const InstrumentPatch = z
  .object({
    name: text(128),
    manufacturer: text(128).nullable(),
    model: text(128).nullable(),
    serial: text(128).nullable(),
    firmware: text(128).nullable(),
    bonded: z.boolean(),
    lastSeenAt: iso.nullable(),
    /** Battery level in percent as last read. */
    battery: z.number().int().min(0).max(100).nullable(),
    /** Highest RACP sequence number already stored (uint16), or null before the first download. */
    lastSequence: z.number().int().min(0).max(0xffff).nullable(),
    /** Dedupe fingerprints of the latest readings of instruments without sequence numbers. */
    recentReadings: z.array(z.string().min(1).max(64)).max(512),
    /** kit_now - device_now at the last clock check, in ms. */
    clockOffsetMs: z.number().finite().nullable(),
  })
  .partial()
  .strict();
/** See {@link InstrumentPatch}. */
export type InstrumentPatch = z.input<typeof InstrumentPatch>;

/** A stored instrument body (schema version 1). */
export const InstrumentBody = InstrumentInput.extend({
  rememberedAt: iso,
  lastSeenAt: iso.nullable(),
  battery: z.number().int().min(0).max(100).nullable(),
  lastSequence: z.number().int().min(0).max(0xffff).nullable(),
  recentReadings: z.array(z.string().min(1).max(64)).max(512),
  clockOffsetMs: z.number().finite().nullable(),
});
/** A remembered instrument as read back. */
export type InstrumentRecord = z.output<typeof InstrumentBody> & { id: string };
