import type { WireAnswer, WireConsultation } from '../../../../runtime/http/api/wire-types.ts';
import { deliveryText, signatureLabel } from '../delivery-text.ts';
import { timeOfDay } from '../format.ts';
import { useWords } from '../state/context.ts';

export { signatureLabel } from '../delivery-text.ts';

/** One specialist's message or signed conclusion (its parts apart, its signature's verdict). */
function Answer({ a }: { a: WireAnswer }) {
  const w = useWords();
  const sig = signatureLabel(w, a);
  const c = a.conclusion ?? null;
  return (
    <article class={`answer ${a.kind}`} data-testid={`answer-${a.kind}`} data-verified={String(sig.verified)}>
      <header>
        <b>{w.t(a.kind === 'conclusion' ? 'conclusion' : a.kind === 'voice' ? 'voiceMessage' : 'message')}</b>{' '}
        · {a.author} · {timeOfDay(w, a.at)}
      </header>
      {c ? (
        <dl class="conclusion-parts">
          {c.findings && (
            <>
              <dt>{w.t('findings')}</dt>
              <dd>{c.findings}</dd>
            </>
          )}
          {(c.diagnosis || c.icd10) && (
            <>
              <dt>{w.t('diagnosis')}</dt>
              <dd data-testid="diagnosis">
                {c.diagnosis}
                {c.icd10 && (
                  <span class="icd">
                    {' '}
                    · {w.t('icd10')} <b>{c.icd10}</b>
                  </span>
                )}
              </dd>
            </>
          )}
          {c.recommendations && (
            <>
              <dt>{w.t('recommendations')}</dt>
              <dd>{c.recommendations}</dd>
            </>
          )}
          {c.referral && (
            <>
              <dt>{w.t('referral')}</dt>
              <dd>{c.referral === true ? w.t('referralInPerson') : c.referral}</dd>
            </>
          )}
        </dl>
      ) : a.kind === 'voice' ? (
        a.audio ? (
          <audio controls preload="metadata" src={a.audio.dataUrl} data-testid="answer-audio" />
        ) : null
      ) : (
        <p>{a.text}</p>
      )}
      {(a.kind === 'conclusion' || !sig.verified) && (
        <p class={sig.verified ? 'sig ok' : 'sig bad'} data-testid="signature">
          {sig.text}
        </p>
      )}
    </article>
  );
}

/**
 * The visit's consultation requests, each with where it is on the link and what the specialist
 * answered: messages and conclusions (findings, diagnosis with ICD-10, recommendations,
 * referral), a verified mark only when the signature checked out.
 */
export function Answers(props: {
  consultations: readonly WireConsultation[];
  answers: readonly WireAnswer[];
}) {
  const w = useWords();
  const orphans = props.answers.filter((a) => !props.consultations.some((c) => c.id === a.consultationId));
  return (
    <section class="panel answers" data-testid="answers">
      <h2>{w.t('answers')}</h2>
      {props.consultations.length === 0 && props.answers.length === 0 && (
        <p class="hint">{w.t('noAnswers')}</p>
      )}
      {props.consultations.map((c) => {
        const mine = props.answers.filter((a) => a.consultationId === c.id);
        // «получен ответ» is the link's truth; an answer that did not verify is said beside it.
        const unverified = mine.some((a) => !signatureLabel(w, a).verified);
        return (
          <div
            key={c.id}
            class="consultation"
            data-testid="consultation"
            data-consultation-id={c.id}
            data-state={c.delivery.state}
          >
            <p class="consult-question">
              <b>{c.urgency === 'urgent' ? `⚑ ${w.t('urgent')}` : w.t('routine')}</b> · {c.question}
            </p>
            <p
              class={`place state-${c.delivery.state}${unverified ? ' unverified' : ''}`}
              data-testid="consultation-state"
              data-unverified={unverified ? 'yes' : 'no'}
            >
              {deliveryText(w, c.delivery)}
              {unverified ? ` · ⚠ ${w.t('answerUnverified')}` : ''}
              {c.delivery.to ? ` · ${w.t('toWhom', { name: c.delivery.to })}` : ''}
            </p>
            {mine.length === 0 && <p class="hint">{w.t('noAnswers')}</p>}
            {mine.map((a) => (
              <Answer key={a.id} a={a} />
            ))}
          </div>
        );
      })}
      {orphans.map((a) => (
        <Answer key={a.id} a={a} />
      ))}
    </section>
  );
}
