/** Escapes text for HTML content and attribute values. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** The fingerprint in rows of eight pairs, so it can be read aloud and compared in chunks. */
export function fingerprintRows(fingerprint: string): string[] {
  const pairs = fingerprint.split(':');
  const rows: string[] = [];
  for (let i = 0; i < pairs.length; i += 8) rows.push(pairs.slice(i, i + 8).join(' '));
  return rows;
}

/** An 8-digit code as `1234 5678`. */
export function groupedCode(code: string): string {
  return `${code.slice(0, 4)} ${code.slice(4)}`;
}

/** Shared styles of the kit's plain-HTTP pages: large type, high contrast, readable at arm's length. */
export const PAGE_CSS = `
*{box-sizing:border-box}
body{margin:0;font:22px/1.4 "DejaVu Sans",system-ui,sans-serif;color:#111;background:#fff}
main{max-width:1280px;margin:0 auto;padding:16px 28px 28px}
h1{font-size:30px;line-height:1.25;margin:0 0 6px}
h2{font-size:26px;margin:0 0 10px}
.lead{margin:0 0 12px;color:#333}
.grid{display:grid;grid-template-columns:420px 1fr;gap:28px;align-items:start}
.qr svg{width:320px;height:320px;display:block;border:1px solid #ccc}
.caption{font-size:19px;margin:6px 0 0}
.caption a{word-break:break-all}
.fp{margin:16px 0 0;padding:12px 16px;border:3px solid #111;border-radius:8px}
.fp b{display:block;font-size:18px;margin-bottom:4px}
.fp code{display:block;font:bold 26px/1.35 "DejaVu Sans Mono",monospace;white-space:nowrap}
ol{margin:0;padding-left:30px}
ol li{margin:0 0 6px}
.note{font-size:19px;color:#333;margin:8px 0}
.warn{font-size:19px;font-weight:bold;margin:8px 0}
.next{margin:14px 0 16px;padding:12px 16px;background:#eef4ff;border-radius:8px}
.next a{font-weight:bold;color:#0040a0}
.en{margin-top:28px;padding-top:18px;border-top:2px solid #ccc}
.pair{margin-top:24px;padding:16px;border:2px dashed #0040a0;border-radius:8px}
.pair form{display:flex;gap:14px;flex-wrap:wrap;margin:0}
.back{display:inline-flex;align-items:center;justify-content:center;text-decoration:none}
.pair button,.back{min-height:56px;min-width:180px;font-size:22px;padding:8px 18px;border-radius:8px;border:2px solid #0040a0;background:#fff;color:#0040a0;cursor:pointer}
.code{font:bold 72px/1.1 "DejaVu Sans Mono",monospace;letter-spacing:6px;margin:8px 0}
`;
