/**
 * Child process of the link crash test: the kit's real link (`startKitLink` on its own LMDB
 * store in `dir`, hub path only) connected to the hub given in the JSON config file. The first
 * time (`queue` in the config) it stores a backlog of photos (blobs) and vitals; after a restart
 * it queues nothing and resumes what its outbox holds. Prints one JSON line per event: `queued`
 * (an item is durable in the outbox), `state` (every delivery state change and progress, with
 * the envelope id), and `ready` with every item's state as loaded from disk. Run with
 * `node --import tsx`.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fromHex } from '../../crypto/bytes.ts';
import { encodeWire } from '../../crypto/wire-cbor.ts';
import { startKitLink } from '../../runtime/link/kit-link.ts';
import { createLogger } from '../../runtime/log.ts';
import { openStore } from '../../store/index.ts';
import { TEST_KDF } from '../../store/testing.ts';

interface Config {
  readonly orgKey: string;
  readonly hubUrl: string;
  readonly certPem: string;
  readonly directory: string;
  readonly to: string;
  readonly queue?: { readonly photos: number; readonly photoBytes: number; readonly vitals: number };
}

const [dir, configFile] = process.argv.slice(2);
if (!dir || !configFile) throw new Error('usage: link-crash-kit <dir> <config json file>');
const config = JSON.parse(readFileSync(configFile, 'utf8')) as Config;
const print = (value: unknown): void => void process.stdout.write(`${JSON.stringify(value)}\n`);
const store = await openStore({ path: dir, passphrase: 'kit', kdf: TEST_KDF, actor: 'kit' });
const link = await startKitLink({
  store,
  log: createLogger('silent'),
  orgKey: fromHex(config.orgKey)!,
  hub: { url: config.hubUrl, certPem: config.certPem },
  directory: Buffer.from(config.directory, 'base64'),
  direct: false,
  liveness: { intervalMs: 300, timeoutMs: 1500 },
  onEvent: (e) => {
    if (e.type !== 'link-state') return;
    const d = e.delivery;
    const envelopeId = link.endpoint.outbox.byItemId(d.itemId)?.envelopeId ?? null;
    print({
      type: 'state',
      itemId: d.itemId,
      envelopeId,
      state: d.state,
      bytesAcked: d.bytesAcked,
      size: d.size,
    });
  },
});
print({
  type: 'ready',
  items: link.endpoint.outbox
    .records()
    .map((r) => ({ itemId: r.itemId, envelopeId: r.envelopeId ?? null, state: r.state })),
});
if (config.queue) {
  const { photos, photoBytes, vitals } = config.queue;
  for (let i = 0; i < Math.max(photos, vitals); i++) {
    if (i < photos) {
      const blob = await store.putBlob({ kind: 'photo', mediaType: 'image/jpeg' }, [
        new Uint8Array(randomBytes(photoBytes)),
      ]);
      const rec = await link.send({
        kind: 'photo',
        to: config.to,
        attachmentId: blob.id,
        media: 'image/jpeg',
      });
      print({ type: 'queued', itemId: rec.itemId, kind: 'photo' });
    }
    if (i < vitals) {
      const rec = await link.send({
        kind: 'vitals',
        to: config.to,
        body: encodeWire({ visit: i, spo2: 90 + (i % 10) }),
      });
      print({ type: 'queued', itemId: rec.itemId, kind: 'vitals' });
    }
  }
  print({ type: 'all-queued' });
}
