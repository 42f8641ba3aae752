import { esc, fingerprintRows, groupedCode, PAGE_CSS } from './html.ts';
import { ONBOARDING_TEXT, PAIRING_TEXT } from './texts.ts';

/** What the onboarding page shows. */
export interface OnboardingView {
  /** Where the CA certificate downloads from (in the QR code). */
  readonly caUrl: string;
  readonly caQrSvg: string;
  readonly fingerprint: string;
  /** The tablet app's HTTPS address. */
  readonly appUrl: string;
  /** Shown only on the kit's own screen: the role buttons that create a pairing code. */
  readonly pairingForm: boolean;
}

function section(lang: 'ru' | 'en', v: OnboardingView): string {
  const t = ONBOARDING_TEXT[lang];
  return `<h1>${esc(t.title)}</h1>
<p class="lead">${esc(t.lead)}</p>
<ol>${t.steps.map((s) => `<li>${esc(s)}</li>`).join('')}</ol>
<p class="note">${esc(t.samsung)}</p>
<p class="warn">${esc(t.mismatch)}</p>
<p class="next">${esc(t.next)}<br>${esc(t.appLink)}: <a href="${esc(v.appUrl)}">${esc(v.appUrl)}</a></p>`;
}

function pairingForm(): string {
  const ru = PAIRING_TEXT.ru;
  const en = PAIRING_TEXT.en;
  const roles = Object.keys(ru.roles) as (keyof typeof ru.roles)[];
  return `<section class="pair" data-testid="pairing-form"><h2>${esc(ru.title)} · <span lang="en">${esc(en.title)}</span></h2>
<p class="lead">${esc(ru.lead)}</p>
<form method="post" action="/pairing-code">${roles
    .map(
      (r) =>
        `<button type="submit" name="role" value="${r}">${esc(ru.roles[r])}<br><small lang="en">${esc(en.roles[r])}</small></button>`,
    )
    .join('')}</form></section>`;
}

/**
 * The onboarding page served over plain HTTP: the CA's QR code and SHA-256 fingerprint in large
 * type beside the Android steps, Russian first and English below. Server-rendered, no script,
 * so it works in any browser before anything is trusted.
 */
export function renderOnboarding(v: OnboardingView): string {
  const t = ONBOARDING_TEXT.ru;
  return `<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(t.title)}</title><style>${PAGE_CSS}</style></head>
<body><main>
<div class="grid">
<div>
<div class="qr" data-testid="ca-qr">${v.caQrSvg}</div>
<p class="caption">${esc(t.qrCaption)}:<br><a href="${esc(v.caUrl)}">${esc(v.caUrl)}</a></p>
<div class="fp" data-testid="fingerprint"><b>${esc(t.fingerprint)}</b>${fingerprintRows(v.fingerprint)
    .map((r) => `<code>${esc(r)}</code>`)
    .join('')}</div>
</div>
<div>${section('ru', v)}</div>
</div>
${v.pairingForm ? pairingForm() : ''}
<div class="en" lang="en">${section('en', v)}
<p class="note">${esc(ONBOARDING_TEXT.en.qrCaption)} fieldkit-ca.crt · ${esc(ONBOARDING_TEXT.en.fingerprint)}</p></div>
</main></body></html>`;
}

/** What the pairing-code page shows. */
export interface PairingCodeView {
  readonly code: string;
  readonly role: keyof typeof PAIRING_TEXT.ru.roles;
  readonly url: string;
  readonly qrSvg: string;
  readonly expiresAt: Date;
}

/** The one-time code on the kit's own screen: digits in very large type and the QR of the pairing URL. */
export function renderPairingCode(v: PairingCodeView): string {
  const ru = PAIRING_TEXT.ru;
  const en = PAIRING_TEXT.en;
  const until = v.expiresAt.toLocaleTimeString('ru-RU', { hour: '2-digit', minute: '2-digit' });
  return `<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${esc(ru.title)}</title><style>${PAGE_CSS}</style></head>
<body><main><div class="grid">
<div class="qr" data-testid="pairing-qr">${v.qrSvg}</div>
<div><h1>${esc(ru.title)}: ${esc(ru.roles[v.role])} <small lang="en">(${esc(en.roles[v.role])})</small></h1>
<p class="lead">${esc(ru.code)} · <span lang="en">${esc(en.code)}</span></p>
<div class="code" data-testid="pairing-code">${esc(groupedCode(v.code))}</div>
<p>${esc(ru.scan)}.<br><small lang="en">${esc(en.scan)}.</small></p>
<p>${esc(ru.until)} ${esc(until)} · <span lang="en">${esc(en.until)} ${esc(until)}</span></p>
<p><a class="back" href="/">${esc(ru.back)}</a></p></div>
</div></main></body></html>`;
}
