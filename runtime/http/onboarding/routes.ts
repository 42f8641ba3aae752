import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { PairingStore } from '../auth/pairing-routes.ts';
import { apiError } from '../errors.ts';
import type { TlsMaterial } from '../tls/kit-ca.ts';
import { authority, hostOf, isLoopbackName, linkHost, redirectHost } from './addresses.ts';
import { renderOnboarding, renderPairingCode } from './page.ts';

/** What the plain-HTTP listener needs from the kit. */
export interface OnboardingDeps {
  /** The TLS credentials in use (the root may change if it was ever renewed). */
  readonly material: () => TlsMaterial;
  readonly httpPort: () => number;
  readonly httpsPort: () => number;
  readonly pairing: Pick<PairingStore, 'createPairingCode'>;
}

/** The file name the tablet saves the CA under (the instructions name it). */
export const CA_FILE = 'fieldkit-ca.crt';

const RoleForm = z.object({ role: z.enum(['feldsher', 'doctor', 'coordinator']) });

/** A QR code as inline SVG (the encoder loads on the first page served, not at kit start). */
async function qrSvg(text: string): Promise<string> {
  const { default: QRCode } = await import('qrcode');
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

/** True when the request comes from the kit itself: loopback socket and a loopback Host (no DNS rebinding). */
function fromKitItself(c: Context): boolean {
  let remote: string | undefined;
  try {
    remote = getConnInfo(c).remote.address;
  } catch {
    return false;
  }
  const host = hostOf(c.req.header('host'));
  const local = (a: string | undefined) =>
    a !== undefined && (isLoopbackName(a) || a.startsWith('::ffff:127.'));
  return local(remote) && host !== undefined && isLoopbackName(host);
}

/**
 * The kit's plain-HTTP listener: the onboarding page, the CA certificate, and (on the kit's own
 * screen only) one-time pairing codes; every other request is redirected to HTTPS.
 */
export function createOnboardingApp(deps: OnboardingDeps): Hono {
  const app = new Hono();
  app.use('*', async (c, next) => {
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('X-Frame-Options', 'DENY');
  });

  const page = async (c: Context) => {
    const m = deps.material();
    const host = linkHost(hostOf(c.req.header('host')), m.names);
    const caUrl = `http://${authority(host, deps.httpPort())}/${CA_FILE}`;
    c.header('Cache-Control', 'no-store');
    return c.html(
      renderOnboarding({
        caUrl,
        caQrSvg: await qrSvg(caUrl),
        fingerprint: m.rootFingerprint,
        appUrl: `https://${authority(host, deps.httpsPort())}/`,
        pairingForm: fromKitItself(c),
      }),
    );
  };
  app.get('/', page);
  app.get('/onboarding', page);

  app.get(`/${CA_FILE}`, (c) => {
    c.header('Content-Type', 'application/x-x509-ca-cert');
    c.header('Content-Disposition', `attachment; filename="${CA_FILE}"`);
    c.header('Cache-Control', 'no-store');
    return c.body(new Uint8Array(deps.material().rootDer));
  });

  app.post('/pairing-code', async (c) => {
    if (!fromKitItself(c)) return apiError(c, 'forbidden', 'Pairing codes are shown on the kit only.');
    const origin = c.req.header('origin');
    if (origin !== undefined && origin !== `http://${c.req.header('host') ?? ''}`)
      return apiError(c, 'forbidden', 'Cross-site request refused.');
    const form = RoleForm.safeParse(await c.req.parseBody().catch(() => ({})));
    if (!form.success) return apiError(c, 'invalid_body', 'Choose a role.');
    const created = await deps.pairing.createPairingCode({
      role: form.data.role,
      createdBy: 'kit-screen',
    });
    const host = linkHost(undefined, deps.material().names);
    const url = `https://${authority(host, deps.httpsPort())}/pair#code=${created.code}`;
    c.header('Cache-Control', 'no-store');
    return c.html(
      renderPairingCode({
        code: created.code,
        role: form.data.role,
        url,
        qrSvg: await qrSvg(url),
        expiresAt: new Date(created.expiresAt),
      }),
    );
  });

  app.all('*', (c) => {
    const host = redirectHost(hostOf(c.req.header('host')), deps.material().names);
    const u = new URL(c.req.url);
    return c.redirect(`https://${authority(host, deps.httpsPort())}${u.pathname}${u.search}`, 308);
  });
  return app;
}
