// The tablet app's favicon as a small PNG, drawn from the shapes of pwa/tablet/icon.svg (a blue
// rounded square, rx 18 of 96, with a white cross). Why not the SVG: Chromium decodes a page's
// favicon in the page's own renderer, and an SVG favicon there is a whole isolated SVG document
// (about 0.1-0.2 s of main thread with the CPU slowed 4x, in a trace of the tablet opening the
// visit), arriving just as the visit screen's first frame is drawn. A 32 px PNG decodes in
// microseconds. The installed app's icon (manifest) stays the SVG.
import { Buffer } from 'node:buffer';
import { crc32, deflateSync } from 'node:zlib';

const VIEW = 96;
const BLUE = [0x0b, 0x53, 0x94];

/** Whether the point (x, y) of the 96-unit view box is inside the rounded square. */
function inSquare(x, y) {
  const r = 18;
  const cx = Math.min(Math.max(x, r), VIEW - r);
  const cy = Math.min(Math.max(y, r), VIEW - r);
  return x >= 0 && y >= 0 && x <= VIEW && y <= VIEW && (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

/** Whether (x, y) is inside the cross: bars 16 wide, from 18 to 78 (the SVG's path). */
function inCross(x, y) {
  return (x >= 40 && x <= 56 && y >= 18 && y <= 78) || (y >= 40 && y <= 56 && x >= 18 && x <= 78);
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** The icon as an RGBA PNG of `size` x `size` pixels, 4x4 supersampled. */
export function iconPng(size = 32) {
  const rows = [];
  const n = 4;
  for (let py = 0; py < size; py++) {
    const row = Buffer.alloc(1 + size * 4); // filter byte 0 (none), then RGBA
    for (let px = 0; px < size; px++) {
      let inside = 0;
      let white = 0;
      for (let sy = 0; sy < n; sy++)
        for (let sx = 0; sx < n; sx++) {
          const x = ((px + (sx + 0.5) / n) * VIEW) / size;
          const y = ((py + (sy + 0.5) / n) * VIEW) / size;
          if (!inSquare(x, y)) continue;
          inside++;
          if (inCross(x, y)) white++;
        }
      const a = inside / (n * n);
      const w = inside === 0 ? 0 : white / inside;
      const o = 1 + px * 4;
      for (let c = 0; c < 3; c++) row[o + c] = Math.round(BLUE[c] * (1 - w) + 255 * w);
      row[o + 3] = Math.round(a * 255);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
