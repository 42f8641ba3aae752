import { PassThrough, Readable } from 'node:stream';
import { Hono } from 'hono';
import type { ExportSource } from '../fhir/export/export-source.ts';
import { PROFILES, profileByName } from '../fhir/profiles/index.ts';
import { requireRole } from './auth/middleware.ts';
import type { AuthEnv } from './auth/identity.ts';
import { apiError } from './errors.ts';

/**
 * `GET /api/visits/:id/fhir[?profile=ru-core|n3]`: a paired doctor's tablet downloads the same
 * FHIR R4 transaction Bundle `fieldkit export --fhir --visit` writes, streamed as it is made
 * (photos and ECG strips included). An unknown visit is a 404 before any byte is sent; a failure
 * part way (a damaged blob) cuts the response, so a client never takes a short body for a
 * whole bundle (the JSON does not close). No brigade roster: the kit has none configured yet.
 */
export function fhirRoutes(source: ExportSource): Hono<AuthEnv> {
  const r = new Hono<AuthEnv>();
  r.get('/visits/:id/fhir', requireRole('doctor'), async (c) => {
    const name = c.req.query('profile') ?? 'ru-core';
    const profile = profileByName(name);
    if (!profile)
      return apiError(
        c,
        'bad_query',
        `Unknown profile '${name}' (have: ${PROFILES.map((p) => p.name).join(', ')}).`,
      );
    const id = c.req.param('id');
    await source.getVisit(id); // not_found -> 404 in the shared shape, before streaming starts
    const { exportFhir } = await import('../fhir/export/export-fhir.ts');
    const body = new PassThrough();
    exportFhir(source, { by: 'visit', id }, body, { profile }).then(
      () => body.end(),
      (err: unknown) => body.destroy(err instanceof Error ? err : new Error(String(err))),
    );
    return new Response(Readable.toWeb(body) as ReadableStream<Uint8Array>, {
      headers: {
        'content-type': 'application/fhir+json; charset=utf-8',
        'content-disposition': `attachment; filename="${id.replace(/[^\w.-]/g, '_')}.fhir.json"`,
        'cache-control': 'no-store',
      },
    });
  });
  return r;
}
