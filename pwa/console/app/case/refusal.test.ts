import { afterEach, describe, expect, it } from 'vitest';
import { setLocale } from '../i18n.ts';
import { replyRefusalText } from './refusal.ts';

const names: Record<string, string> = { 'spec-petrov': 'Петров И. С.' };
const nameOf = (id: string) => names[id] ?? id;

afterEach(() => setLocale('ru'));

describe('why the hub refused an answer, as the case shows it', () => {
  it('says in Russian that a reply names no consultation, and who holds a taken one', () => {
    expect(replyRefusalText('unbound_reply', 'a specialist may send only replies', nameOf)).toBe(
      'Хаб не принял ответ: в нём не указано, на какую консультацию он отвечает',
    );
    expect(replyRefusalText('taken', 'held by spec-petrov', nameOf)).toBe(
      'Хаб не принял ответ: консультацию ведёт Петров И. С.',
    );
    // Anything else keeps the code and the hub's words.
    expect(replyRefusalText('too_large', 'envelope of 20 MB', nameOf)).toBe(
      'Хаб не принял ответ: too_large: envelope of 20 MB',
    );
    setLocale('en');
    expect(replyRefusalText('unbound_reply', '', nameOf)).toBe(
      'The hub refused the reply: it does not name the consultation it answers',
    );
  });
});
