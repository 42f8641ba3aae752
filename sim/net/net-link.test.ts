import { execFileSync, spawn } from 'node:child_process';
import { createServer, connect } from 'node:net';
import type { Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBridges } from './bridge.ts';
import type { Bridges } from './bridge.ts';
import { createNetLink, sweepStaleNamespaces } from './net-link.ts';
import type { NetLink } from './net-link.ts';
import { netSimUnavailable } from './shell.ts';

const why = await netSimUnavailable();
if (why) console.warn(`sim/net tests skipped: ${why}`);

const namespaces = (): string[] =>
  execFileSync('ip', ['netns', 'list'])
    .toString()
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '');

describe.skipIf(why !== undefined)('sim/net: two namespaces, a veth pair, tbf, loss and cuts', () => {
  let link: NetLink;
  let bridges: Bridges;
  let server: Server;
  let received = 0;
  let port = 0;
  beforeAll(async () => {
    link = await createNetLink({ aToB: { rateKbit: 512 }, bToA: { rateKbit: 512 } });
    bridges = createBridges(link);
    server = createServer((s) => s.on('data', (d: Buffer) => (received += d.byteLength)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = await bridges.across((server.address() as { port: number }).port, 'b');
  });
  afterAll(async () => {
    server.close();
    await bridges.close();
    await link.close();
    expect(namespaces()).not.toContain(link.a.ns);
  });

  const until = async (check: () => boolean, ms: number): Promise<void> => {
    const end = Date.now() + ms;
    while (!check()) {
      if (Date.now() > end) throw new Error(`not met in ${ms} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('shapes to the configured rate, a cut stops every byte silently, a heal resumes the same connection', async () => {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((r) => socket.once('connect', () => r()));
    received = 0;
    const started = Date.now();
    socket.write(Buffer.alloc(96 * 1024));
    await until(() => received >= 96 * 1024, 15_000);
    const kbit = (96 * 1024 * 8) / (Date.now() - started);
    // 512 kbit/s of tbf, less TCP/IP headers: never faster, not far slower.
    expect(kbit).toBeLessThan(560);
    expect(kbit).toBeGreaterThan(250);

    await link.cut();
    const before = received;
    socket.write(Buffer.alloc(16 * 1024));
    await new Promise((r) => setTimeout(r, 800));
    expect(received).toBe(before);
    expect(socket.destroyed).toBe(false);
    await link.heal();
    await until(() => received >= before + 16 * 1024, 15_000);
    socket.destroy();
  });

  it('random loss on the receiving side drops about that share of packets', async () => {
    await link.shape({ aToB: { loss: 0.3 }, bToA: {} });
    const receiver = spawn(
      'ip',
      [
        'netns',
        'exec',
        link.b.ns,
        process.execPath,
        '-e',
        `const d=require('dgram').createSocket('udp4');let n=0;d.on('message',()=>n++);
         d.bind(7000,'${link.b.ip}',()=>console.log('ready'));process.stdin.on('end',()=>{console.log(n);process.exit(0)});process.stdin.resume();`,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    let out = '';
    receiver.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await until(() => out.includes('ready'), 10_000);
    execFileSync('ip', [
      'netns',
      'exec',
      link.a.ns,
      process.execPath,
      '-e',
      `const d=require('dgram').createSocket('udp4');let i=0;const t=setInterval(()=>{d.send(Buffer.alloc(64),7000,'${link.b.ip}');if(++i===400){clearInterval(t);setTimeout(()=>d.close(),200)}},1);`,
    ]);
    receiver.stdin.end();
    await new Promise((r) => receiver.once('exit', r));
    const got = Number(out.split('\n')[1]);
    // 400 datagrams at 30% loss: about 280 arrive (binomial, sd ~9).
    expect(got).toBeGreaterThan(220);
    expect(got).toBeLessThan(340);
    await link.shape({ aToB: { rateKbit: 512 }, bToA: { rateKbit: 512 } });
  });

  it("a namespace left by a killed process is swept; a live owner's is not", async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    const stale = `fkn${child.pid}x0abc-a`;
    execFileSync('ip', ['netns', 'add', stale]);
    expect(await sweepStaleNamespaces()).not.toContain(stale);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(await sweepStaleNamespaces()).toContain(stale);
    expect(namespaces()).not.toContain(stale);
    expect(namespaces()).toContain(link.a.ns);
  });
});
