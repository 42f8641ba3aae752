import { z } from 'zod';
import { fromBase64Url, toBase64Url, toHex } from '../../crypto/bytes.ts';
import type { Directory } from '../../crypto/directory.ts';
import type { EnrolCodes } from './enrol-codes.ts';
import type { Enrolments } from './enrolment.ts';
import type { EnrolAnswer } from './hub-http.ts';

const key32 = z
  .string()
  .max(64)
  .transform((s, ctx) => {
    const bytes = fromBase64Url(s);
    if (bytes?.byteLength !== 32) {
      ctx.addIssue({ code: 'custom', message: 'expected 32 bytes of base64url' });
      return z.NEVER;
    }
    return bytes;
  });

/** The body of POST /api/enrol. */
export const EnrolRequest = z.object({
  code: z.string().max(40),
  /** The device's Ed25519 public key (base64url). */
  key: key32,
  /** The device's X25519 public key (base64url), for the directory. */
  box: key32,
  label: z.string().max(100).optional(),
});

/**
 * Enrols the device a one-time code was issued for (the key it presents becomes a device of the
 * code's identity; an identity may have several). The schema is checked before the code is used,
 * so a malformed request never burns a code. The answer names the organisation key of the served
 * directory, read afresh: the console checks it against the organisation check of its code.
 */
export function enrolWithCode(
  codes: EnrolCodes,
  enrolments: Enrolments,
  directory: () => Directory | undefined | Promise<Directory | undefined>,
): (body: Record<string, unknown>) => Promise<EnrolAnswer | undefined> {
  return async (body) => {
    const request = EnrolRequest.safeParse(body);
    if (!request.success) return undefined;
    const device = toHex(request.data.key);
    const granted = await codes.consume(request.data.code, device);
    if (!granted) return undefined;
    const enrolment = await enrolments.enroll({
      device,
      box: toHex(request.data.box),
      identity: granted.identity,
      role: granted.role,
      ...(request.data.label ? { label: request.data.label } : {}),
    });
    const org = (await directory())?.fields.org;
    return { identity: enrolment.identity, org: org ? toBase64Url(org) : null };
  };
}
