import { t } from '../i18n.ts';
import { useConsole } from '../use-console.ts';

const WORDS = {
  message: { queued: 'messageQueued', at_hub: 'messageAtHub' },
  voice: { queued: 'voiceQueued', at_hub: 'voiceAtHub' },
} as const;

/**
 * Where a reply sent from this console is: waiting in the console (amber) or held by the hub
 * (green), from {@link ConsoleState.replyStates}, so a reply written offline never reads as sent.
 */
export function ReplyState({ id, kind }: { id: string; kind: keyof typeof WORDS }) {
  const state = useConsole().replyStates.get(id);
  return (
    <p class={state === 'at_hub' ? 'done' : 'done waiting'} data-reply={state ?? 'refused'}>
      {t(WORDS[kind][state === 'at_hub' ? 'at_hub' : 'queued'])}
    </p>
  );
}
