// Tablets on the live channel that draw nothing, in a process of their own: `node --import tsx
// channel-clients-child.ts` with one JSON line on stdin ({ url, caPem, codes }). Each pairs with
// its one-time code (`POST /api/pair`, as a tablet does), then reads `/api/live` with its bearer
// token over the kit's HTTPS, parsing every event as the tablet's stream does (SSE blocks, JSON).
// It prints `ready <n>` once every channel said hello, and `events <n>` when stdin closes.
import { request } from 'node:https';

interface Job {
  readonly url: string;
  readonly caPem: string;
  readonly codes: readonly string[];
}

function post(job: Job, path: string, body: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, job.url),
      { method: 'POST', ca: job.caPem, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          res.statusCode === 200 || res.statusCode === 201
            ? resolve(JSON.parse(text))
            : reject(new Error(`${res.statusCode} ${text}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

let events = 0;

function listen(job: Job, token: string, onHello: () => void): void {
  const req = request(new URL('/api/live', job.url), {
    ca: job.caPem,
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
  });
  req.on('response', (res) => {
    res.setEncoding('utf8');
    let buffer = '';
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = '';
        let data = '';
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('data:')) data += line.slice(5).trimStart();
        }
        if (!event) continue; // a heartbeat comment
        JSON.parse(data);
        events++;
        if (event === 'hello') onHello();
      }
    });
  });
  req.on('error', (e) => {
    process.stderr.write(`channel client: ${e.message}\n`);
    process.exit(1);
  });
  req.end();
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (c: string) => {
  input += c;
  const nl = input.indexOf('\n');
  if (nl < 0) return;
  const job = JSON.parse(input.slice(0, nl)) as Job;
  input = input.slice(nl + 1);
  void (async () => {
    let hellos = 0;
    for (const code of job.codes) {
      const { token } = (await post(job, '/api/pair', { code, name: 'bench channel client' })) as {
        token: string;
      };
      listen(job, token, () => {
        if (++hellos === job.codes.length) process.stdout.write(`ready ${hellos}\n`);
      });
    }
  })().catch((e: unknown) => {
    process.stderr.write(`channel client: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
});
process.stdin.on('end', () => {
  process.stdout.write(`events ${events}\n`);
  process.exit(0);
});
