import { Hono } from 'hono';
import { stream } from 'hono/streaming';
import { z } from 'zod';
import { ClientId } from '../../../store/index.ts';
import type { ApiDeps } from './deps.ts';
import { authorOf, type ApiEnv, canRead, canWrite } from './env.ts';
import { ApiError, parseWith } from './errors.ts';
import { resolveEntry } from './visit-view.ts';

/** Largest upload per kind: a phone photo is 2-8 MB, a minute of Opus voice well under 1 MB. */
export const UPLOAD_LIMITS = { photo: 15 * 1024 * 1024, voice: 10 * 1024 * 1024 } as const;

const MEDIA = {
  photo: /^image\/(jpeg|png|webp|heic|heif)$/,
  voice: /^audio\/(webm|mp4|ogg|mpeg|aac)$/,
} as const;

const UploadQuery = z.object({
  kind: z.enum(['photo', 'voice']),
  clientId: ClientId,
  enteredAt: z.string().datetime({ offset: true }),
  note: z.string().max(500).optional(),
});

/** The upload route takes large raw bodies and applies its own limit: the app's JSON limit skips it. */
export function isUploadPath(path: string): boolean {
  return /^\/api\/visits\/[^/]+\/attachments$/.test(path);
}

/** Counts bytes as they stream in and stops the upload at the limit (its chunks are then removed). */
async function* limited(body: ReadableStream<Uint8Array>, limit: number): AsyncGenerator<Uint8Array> {
  let seen = 0;
  for await (const piece of body as unknown as AsyncIterable<Uint8Array>) {
    seen += piece.byteLength;
    if (seen > limit)
      throw new ApiError(413, { error: 'body_too_large', message: `larger than ${limit} bytes`, limit });
    yield piece;
  }
  if (seen === 0) throw new ApiError(400, { error: 'empty_body', message: 'no bytes were sent' });
}

/**
 * Photos and voice notes: streamed into the store's sealed chunks without being held whole,
 * refused before a byte is stored when the declared size is over the limit, and once per client
 * id (a resend after a cut returns the first upload). Read back as a stream.
 */
export function attachmentRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>();

  r.post('/visits/:id/attachments', canWrite, async (c) => {
    const visitId = c.req.param('id');
    const q = parseWith(UploadQuery, c.req.query());
    const limit = UPLOAD_LIMITS[q.kind];
    const declared = Number(c.req.header('content-length') ?? NaN);
    if (declared > limit)
      throw new ApiError(413, { error: 'body_too_large', message: `larger than ${limit} bytes`, limit });
    const mediaType = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (!MEDIA[q.kind].test(mediaType))
      throw new ApiError(415, {
        error: 'unsupported_media_type',
        message: `${q.kind}: not ${mediaType || 'untyped'}`,
      });
    const body = c.req.raw.body;
    if (!body) throw new ApiError(400, { error: 'empty_body', message: 'no bytes were sent' });
    const visit = await deps.store.getVisit(visitId);
    const attachment = await deps.store.putBlob(
      {
        kind: q.kind,
        mediaType: (c.req.header('content-type') ?? mediaType).slice(0, 100),
        visitId,
        patientId: visit.patientId,
        ...(q.note ? { note: q.note } : {}),
      },
      limited(body, limit),
      q.clientId,
    );
    const write = await deps.store.addVisitEntry({
      visitId,
      clientId: q.clientId,
      author: authorOf(c),
      enteredAt: q.enteredAt,
      kind: 'attachment',
      attachmentId: attachment.id,
    });
    const entry = await resolveEntry(deps, write.entry);
    if (write.created) deps.bus.publish({ type: 'visit', change: { kind: 'entry', visitId, entry } });
    return c.json(entry, write.created ? 201 : 200);
  });

  r.get('/attachments/:id', canRead, async (c) => {
    const meta = await deps.store.getAttachment(c.req.param('id'));
    const chunks = deps.store.readBlob(meta.id);
    c.header('content-type', meta.mediaType);
    c.header('content-length', String(meta.size));
    c.header('cache-control', 'private, max-age=31536000, immutable');
    return stream(c, async (out) => {
      for await (const piece of chunks) await out.write(piece);
    });
  });

  return r;
}
