import { z } from 'zod';
import { LinkAddress } from '../../crypto/signed-item.ts';
import type { LinkKv } from '../link/link-kv.ts';

const P = 'enr/';

/** One enrolled device: the identity it speaks for, and whether it was revoked. */
export const Enrolment = z.object({
  /** Ed25519 public key, hex. */
  device: z.string().regex(/^[0-9a-f]{64}$/),
  /** X25519 public key, hex, when the device registered it itself (a console): for the directory. */
  box: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  identity: LinkAddress,
  /** A coordinator sees every open consultation and reassigns them (hub role only, not in the directory). */
  role: z.enum(['kit', 'specialist', 'coordinator']),
  label: z.string().max(100).optional(),
  enrolledAt: z.string(),
  revokedAt: z.string().optional(),
});
/** See {@link Enrolment}. */
export type Enrolment = z.infer<typeof Enrolment>;

/**
 * The devices a hub routes between (`fieldkit hub enroll` / `revoke`), kept in the hub's own
 * encrypted store. The CLI writes them from another process; the running hub reads them on every
 * authentication and re-checks connected devices, so a revocation cuts a live session within
 * seconds.
 */
export class Enrolments {
  readonly #kv: LinkKv;

  constructor(kv: LinkKv) {
    this.#kv = kv;
  }

  /** Enrols (or re-enrols, clearing a revocation) a device for an identity. */
  async enroll(entry: Omit<Enrolment, 'enrolledAt' | 'revokedAt'>): Promise<Enrolment> {
    const record = Enrolment.parse({ ...entry, enrolledAt: new Date().toISOString() });
    await this.#kv.linkTransaction((tx) => tx.put(`${P}${record.device}`, { ...record }));
    return record;
  }

  /** Revokes a device; false if it was never enrolled. */
  async revoke(device: string): Promise<boolean> {
    return this.#kv.linkTransaction((tx) => {
      const current = Enrolment.safeParse(tx.get(`${P}${device}`));
      if (!current.success) return false;
      tx.put(`${P}${device}`, { ...current.data, revokedAt: new Date().toISOString() });
      return true;
    });
  }

  /** The active (not revoked) enrolment of a device. */
  async active(device: string): Promise<Enrolment | undefined> {
    const parsed = Enrolment.safeParse(await this.#kv.linkGet(`${P}${device}`));
    return parsed.success && !parsed.data.revokedAt ? parsed.data : undefined;
  }

  /** Every enrolment, revoked ones included. */
  async all(): Promise<Enrolment[]> {
    const out: Enrolment[] = [];
    for (const e of await this.#kv.linkScan(P)) {
      const parsed = Enrolment.safeParse(e.body);
      if (parsed.success) out.push(parsed.data);
    }
    return out;
  }

  /** Active devices (hex keys) of an identity. */
  async devicesOf(identity: string): Promise<string[]> {
    return (await this.all()).filter((e) => e.identity === identity && !e.revokedAt).map((e) => e.device);
  }
}
