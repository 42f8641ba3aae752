import { useEffect, useMemo } from 'preact/hooks';
import { t } from '../i18n.ts';
import type { ConsoleItem } from '../link/received.ts';

/** Image types shown inline (others are listed as files, never rendered). */
const IMAGE = /^image\/(jpeg|png|webp)$/;
/** Audio types played inline. */
const AUDIO = /^audio\/(webm|ogg|mp4|mpeg|wav)(;.*)?$/;

/**
 * The photos and voice notes the kit sent with a consultation (each its own signed item, named in
 * the request): photos shown, voice notes playable, each marked when it did not verify; those
 * still on the way (they travel last, by priority) counted.
 */
export function CaseMedia({ ids, items }: { ids: readonly string[]; items: Map<string, ConsoleItem> }) {
  const arrived = ids.flatMap((id) => {
    const item = items.get(id);
    return item ? [item] : [];
  });
  const urls = useMemo(
    () =>
      new Map(
        arrived.map((i) => [
          i.itemId,
          URL.createObjectURL(new Blob([i.body as Uint8Array<ArrayBuffer>], { type: i.media ?? '' })),
        ]),
      ),
    [arrived.map((i) => i.itemId).join()],
  );
  useEffect(() => () => urls.forEach((u) => URL.revokeObjectURL(u)), [urls]);
  if (ids.length === 0) return <p class="empty">{t('mediaNone')}</p>;
  const pending = ids.length - arrived.length;
  return (
    <div class="case-media">
      {arrived.map((item) => {
        const media = item.media ?? '';
        const url = urls.get(item.itemId)!;
        return (
          <figure
            key={item.itemId}
            class={`media ${item.kind}`}
            data-media={item.kind}
            data-verified={String(item.verified)}
          >
            {IMAGE.test(media) ? (
              <img src={url} alt={t('photoAlt')} class="photo" />
            ) : AUDIO.test(media) ? (
              <>
                <figcaption>{t('voiceNote')}</figcaption>
                <audio controls src={url} class="voice-note" />
              </>
            ) : (
              <figcaption>{t('fileOther', { media: media || '?' })}</figcaption>
            )}
            {!item.verified ? <p class="error">{t('unverified', { why: item.reasons.join('; ') })}</p> : null}
          </figure>
        );
      })}
      {pending > 0 ? <p class="hint">{t('mediaPending', { n: pending })}</p> : null}
    </div>
  );
}
