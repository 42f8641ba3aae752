/**
 * Child process of the link crash test: a real hub (`startHub` on its own LMDB store and TLS
 * files in `dir`) on `port` (0 the first time, the same port after a restart), with the devices
 * given enrolled. Prints one JSON line `{"type":"ready","port":N}` once it listens, and answers
 * `{"q":"state","id":...}` lines on stdin with what its mailbox holds of that envelope, so the
 * parent can check, after a SIGKILL and a restart, that everything the hub acknowledged is on disk.
 * Run with `node --import tsx`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHub } from '../../runtime/hub/hub.ts';
import { loadHubTls } from '../../runtime/hub/tls.ts';
import { createLogger } from '../../runtime/log.ts';
import { openStore } from '../../store/index.ts';
import { TEST_KDF } from '../../store/testing.ts';
import { onLines } from './lines.ts';

const [dir, portArg, directoryFile, enrolJson] = process.argv.slice(2);
if (!dir || !portArg || !directoryFile || !enrolJson)
  throw new Error('usage: link-crash-hub <dir> <port> <directory file> <enrolments json>');
const enrolments = JSON.parse(enrolJson) as {
  device: string;
  identity: string;
  role: 'kit' | 'specialist';
}[];
const store = await openStore({ path: join(dir, 'store'), passphrase: 'hub', kdf: TEST_KDF, actor: 'hub' });
const tls = await loadHubTls(dir);
const directory = new Uint8Array(readFileSync(directoryFile));
const hub = await startHub({
  store,
  tls,
  port: Number(portArg),
  log: createLogger('silent'),
  directory: () => directory,
  liveness: { intervalMs: 300, timeoutMs: 1500 },
});
for (const e of enrolments) if (!(await hub.enrolments.active(e.device))) await hub.enrolments.enroll(e);
const print = (value: unknown): void => void process.stdout.write(`${JSON.stringify(value)}\n`);
onLines(process.stdin, (line) => {
  const q = JSON.parse(line) as { q: string; id: string };
  if (q.q === 'state')
    void hub.mailbox.state(q.id).then((s) => print({ type: 'state', id: q.id, state: s.state }));
});
print({ type: 'ready', port: hub.port, cert: tls.cert });
