// The peer for the startup benchmark: the smallest Hono server on the same runtime and loader
// (node + tsx), so cold_start_ms can be read as a ratio to what any TypeScript Hono app costs.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
app.get('/api/health', (c) => c.json({ ok: true }));
serve({ fetch: app.fetch, hostname: '127.0.0.1', port: Number(process.argv[2]) });
