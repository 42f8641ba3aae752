import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { exportFhir } from '../runtime/fhir/export/export-fhir.ts';
import { RU_CORE } from '../runtime/fhir/profiles/index.ts';
import { BRIGADE } from '../runtime/fhir/testing/full-visit.ts';
import { openStore } from '../store/index.ts';
import { TEST_KDF } from '../store/testing.ts';
const [dir] = process.argv.slice(2);
const mb = () => {
  const s = readFileSync('/proc/self/status', 'utf8');
  const kb = (n: string) => Number(new RegExp(`^${n}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? 0) / 1024;
  const m = process.memoryUsage();
  return `anon ${kb('RssAnon').toFixed(0)} file ${kb('RssFile').toFixed(0)} heap ${(m.heapUsed / 2 ** 20).toFixed(0)}/${(m.heapTotal / 2 ** 20).toFixed(0)} ext ${(m.external / 2 ** 20).toFixed(0)} ab ${(m.arrayBuffers / 2 ** 20).toFixed(0)}`;
};
const store = await openStore({ path: dir!, passphrase: 'bench', kdf: TEST_KDF });
console.log('open', mb());
const out = new Writable({ write(_c, _e, d) { d(); } });
await exportFhir(store, { by: 'since', from: new Date(0) }, out, {
  profile: RU_CORE, brigade: BRIGADE,
  onProgress: (done, total) => { if (done % Math.max(1, Math.floor(total / 10)) === 0) console.log(done, mb()); },
});
console.log('end', mb(), 'hwm', process.resourceUsage().maxRSS / 1024);

const smaps = readFileSync('/proc/self/smaps', 'utf8').split('\n');
let cur = ''; const rows: [string, number][] = [];
for (const l of smaps) { if (/^[0-9a-f]+-[0-9a-f]+ /.test(l)) cur = l; else if (l.startsWith('Rss:')) rows.push([cur, Number(/(\d+)/.exec(l)![1]) / 1024]); }
rows.sort((a, b) => b[1] - a[1]).slice(0, 8).forEach(([k, v]) => console.log(v.toFixed(1), k));
