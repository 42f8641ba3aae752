import type { WireAnswer } from '../../../../runtime/http/api/wire-types.ts';
import { timeOfDay } from '../format.ts';
import { useWords, type Words } from '../state/context.ts';

/**
 * How a signature is shown: a verified mark only when the kit checked it against the pinned
 * directory; a signature that did not check is flagged, never shown as verified.
 */
export function signatureLabel(w: Words, a: WireAnswer): { text: string; verified: boolean } {
  if (a.signature === null) return { text: w.t('unsigned'), verified: false };
  if (a.signature.verified === true)
    return {
      text: `✔ ${w.t('verified')}${a.signature.signer ? ` · ${a.signature.signer}` : ''}`,
      verified: true,
    };
  return { text: `⚠ ${w.t('notVerified')}`, verified: false };
}

/** Messages and conclusions from specialists, as the kit holds them. */
export function Answers({ answers }: { answers: readonly WireAnswer[] }) {
  const w = useWords();
  return (
    <section class="panel answers" data-testid="answers">
      <h2>{w.t('answers')}</h2>
      {answers.length === 0 && <p class="hint">{w.t('noAnswers')}</p>}
      {answers.map((a) => {
        const sig = signatureLabel(w, a);
        return (
          <article key={a.id} class={`answer ${a.kind}`} data-verified={sig.verified}>
            <header>
              <b>{w.t(a.kind === 'conclusion' ? 'conclusion' : 'message')}</b> · {a.author} ·{' '}
              {timeOfDay(w, a.at)}
            </header>
            <p>{a.text}</p>
            {a.kind === 'conclusion' && <p class={sig.verified ? 'sig ok' : 'sig bad'}>{sig.text}</p>}
          </article>
        );
      })}
    </section>
  );
}
