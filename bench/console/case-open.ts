import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { encodeWire } from '../../crypto/wire-cbor.ts';
import type { ConsultationBody, SentRecord } from '../../runtime/link/items.ts';
import { createBridges } from '../../sim/net/bridge.ts';
import { createNetLink } from '../../sim/net/net-link.ts';
import type { NetLink } from '../../sim/net/net-link.ts';
import type { ConsoleWorld } from '../../test/console/linked-console.ts';
import { consoleWorld } from '../../test/console/linked-console.ts';

/** One round of {@link caseOpen}. */
export interface CaseOpenRound {
  /** The kit starts sending to the case shown whole in the console (ECG drawn, both photos decoded). */
  readonly caseOpenMs: number;
  /** The same number of bytes as one plain HTTP download over the same link, just after. */
  readonly httpMs: number;
  /** Bytes of the three envelopes the hub forwards (consultation with the ECG, two photos). */
  readonly payloadBytes: number;
  /** What the shaper put on the wire hub -> console for each (headers, TLS, framing, resends). */
  readonly caseWireBytes: number;
  readonly httpWireBytes: number;
  /** A resumed round: the link was cut for this long once half the case had crossed. */
  readonly outageMs?: number;
}

/** The resumed round's cut: when (wire bytes hub -> console since the send) and how long. */
interface Cut {
  readonly afterWireBytes: number;
  readonly outageMs: number;
}

/** A 30 s ECG strip at 500 Hz (µV): a beat a second on a little baseline noise, as the kit sends it. */
function ecgRecord(): SentRecord {
  const rate = 500;
  const samples: number[] = [];
  for (let i = 0; i < 30 * rate; i++) {
    const phase = (i % rate) / rate;
    const qrs = phase > 0.3 && phase < 0.34 ? Math.sin(((phase - 0.3) / 0.04) * Math.PI) * 1200 : 0;
    const tWave = phase > 0.5 && phase < 0.7 ? Math.sin(((phase - 0.5) / 0.2) * Math.PI) * 250 : 0;
    samples.push(Math.round(qrs + tWave + Math.sin(i / 37) * 20 + ((i * 7919) % 13) - 6));
  }
  return { id: 'ecg-ii', kind: 'ecg', cbor: encodeWire({ rateHz: rate, unit: 'uV', lead: 'II', samples }) };
}

/** In the page: a 1280 x 960 JPEG of soft shapes and sensor-like noise; base64. */
const PHOTO = `async (seed) => {
  const c = document.createElement('canvas');
  c.width = 1280; c.height = 960;
  const g = c.getContext('2d');
  let x = seed * 2654435761 % 4294967296 || 1;
  const rnd = () => ((x = (x * 1664525 + 1013904223) % 4294967296) / 4294967296);
  const grad = g.createLinearGradient(0, 0, 1280, 960);
  grad.addColorStop(0, '#c89f88'); grad.addColorStop(1, '#6e4a3c');
  g.fillStyle = grad; g.fillRect(0, 0, 1280, 960);
  for (let i = 0; i < 60; i++) {
    g.fillStyle = 'rgba(' + Math.floor(rnd() * 255) + ',' + Math.floor(rnd() * 200) + ',' + Math.floor(rnd() * 180) + ',0.35)';
    g.beginPath(); g.arc(rnd() * 1280, rnd() * 960, 20 + rnd() * 200, 0, 7); g.fill();
  }
  const img = g.getImageData(0, 0, 1280, 960);
  for (let i = 0; i < img.data.length; i += 4) {
    const n = (rnd() - 0.5) * 18;
    img.data[i] += n; img.data[i + 1] += n; img.data[i + 2] += n;
  }
  g.putImageData(img, 0, 0);
  const blob = await new Promise((r) => c.toBlob(r, 'image/jpeg', 0.85));
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let bin = '';
  for (let i = 0; i < bytes.length; i += 8192) bin += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return btoa(bin);
}`;

function download(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request({ host: '127.0.0.1', port, path: '/case', agent: false }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve(performance.now() - t0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function oneRound(
  world: ConsoleWorld,
  link: NetLink,
  httpPort: number,
  setBytes: (n: number) => void,
  round: number,
  cut?: Cut,
): Promise<CaseOpenRound> {
  const { kit, page } = world;
  // Real JPEG photos, 1280 x 960 at quality 0.85, of a textured scene (a camera stands in):
  // drawn on a canvas in the page, so they decode as any photo would.
  const photo = async (seed: number) =>
    new Uint8Array(Buffer.from(await page.evaluate<string>(`(${PHOTO})(${seed})`), 'base64'));
  const photos = [await photo(round * 2), await photo(round * 2 + 1)];
  // The console shows one screen at a time: after a round it is on the case it opened, where the
  // queue is not drawn. A specialist goes back to the queue to open the next case (waiting for a
  // row there while the case screen stays up was why round 2 "never arrived").
  const back = page.getByRole('button', { name: '← К очереди' });
  if (await back.isVisible()) await back.click();
  await back.waitFor({ state: 'hidden', timeout: 30_000 });
  const wire0 = await link.counters('a');
  const t0 = performance.now();
  const sentPhotos = [];
  for (const bytes of photos)
    sentPhotos.push(await kit.send({ kind: 'photo', to: 'spec-ivanova', body: bytes, media: 'image/jpeg' }));
  const body: ConsultationBody = {
    urgency: 'urgent',
    question: `Боль за грудиной, ЭКГ 30 с и два фото приложены (${round}). Тактика?`,
    patient: { age: 58, sex: 'm' },
    records: [ecgRecord()],
    attachments: sentPhotos.map((p) => p.itemId),
  };
  const consult = await kit.send({
    kind: 'consultation',
    to: 'spec-ivanova',
    urgent: true,
    body: encodeWire(body),
    media: 'application/cbor',
    records: [],
  });
  if (cut) {
    // Both ends' heartbeats (6 s) declare the session dead within the outage; the console
    // reconnects once the path is back and the hub offers the case again.
    for (;;) {
      if ((await link.counters('a')).bytes - wire0.bytes >= cut.afterWireBytes) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await link.cut();
    await new Promise((r) => setTimeout(r, cut.outageMs));
    await link.heal();
  }
  const row = page.locator(`table.queue tbody tr`, { hasText: `приложены (${round})` });
  await row.getByRole('button', { name: 'Открыть' }).click({ timeout: 5 * 60_000 });
  await page.waitForFunction(
    () => {
      const drawn = document.querySelector('canvas.ecg-canvas')?.getAttribute('data-drawn-samples');
      const imgs = [...document.querySelectorAll<HTMLImageElement>('.case-media img.photo')];
      return drawn === '15000' && imgs.length === 2 && imgs.every((i) => i.complete && i.naturalWidth > 0);
    },
    undefined,
    { timeout: 10 * 60_000, polling: 50 },
  );
  const caseOpenMs = performance.now() - t0;
  const wire1 = await link.counters('a');
  const sizes = [...sentPhotos, consult].map((s) => {
    const last = world.watched.events
      .filter((e) => e.type === 'state' && e.record.itemId === s.itemId)
      .at(-1);
    return last?.type === 'state' ? last.record.size : 0;
  });
  const payloadBytes = sizes.reduce((a, b) => a + b, 0);
  setBytes(payloadBytes);
  await page.waitForTimeout(1000);
  const wire2 = await link.counters('a');
  const httpMs = await download(httpPort);
  const wire3 = await link.counters('a');
  return {
    caseOpenMs,
    httpMs,
    payloadBytes,
    caseWireBytes: wire1.bytes - wire0.bytes,
    httpWireBytes: wire3.bytes - wire2.bytes,
    ...(cut ? { outageMs: cut.outageMs } : {}),
  };
}

/**
 * `case_open_ms` at `rateKbit` each way: the console in Chromium reaches the hub only across two
 * network namespaces joined by a veth pair shaped with tbf (as bench/link does; no loss, no added
 * delay); the kit reaches the hub directly. Per round: the kit sends a case (two JPEG photos as
 * their own items, then the consultation carrying a 30 s ECG strip); the console, on its queue,
 * opens it as soon as it is listed; the clock stops when the ECG is drawn and both photos are
 * decoded. The peer, on the same link just after: one plain HTTP/1.1 download (no TLS) of as many
 * bytes as the three envelopes. With `resumedOutageMs`, one more round after those: the link is
 * cut for that long once 3/4 of the previous round's wire bytes crossed, then healed (the console
 * resumes from the blocks it kept); its `caseOpenMs` includes the outage.
 */
export async function caseOpen(
  rateKbit: number,
  rounds: number,
  resumedOutageMs?: number,
): Promise<CaseOpenRound[]> {
  const link = await createNetLink({ congestion: 'cubic' });
  const bridges = createBridges(link);
  let bytes = 0;
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes) });
    res.end(randomBytes(bytes));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  let world: ConsoleWorld | undefined;
  try {
    // Set up unshaped (enrolment, keys, the app's files), then shape for the measures.
    world = await consoleWorld((hubPort) => bridges.across(hubPort, 'b'));
    const httpPort = await bridges.across((server.address() as AddressInfo).port, 'b');
    await link.shape({ aToB: { rateKbit }, bToA: { rateKbit } });
    const out: CaseOpenRound[] = [];
    for (let i = 0; i < rounds; i++)
      out.push(await oneRound(world, link, httpPort, (n) => (bytes = n), i + 1));
    const last = out.at(-1);
    if (resumedOutageMs !== undefined && last) {
      // Three quarters in: inside the second photo (the urgent consultation overtakes the first
      // photo, so halfway the cut falls near the end of an object, where resuming saves little).
      const cut = { afterWireBytes: last.caseWireBytes * 0.75, outageMs: resumedOutageMs };
      out.push(await oneRound(world, link, httpPort, (n) => (bytes = n), rounds + 1, cut));
    }
    return out;
  } finally {
    await world?.close();
    server.close();
    await bridges.close();
    await link.close();
  }
}
