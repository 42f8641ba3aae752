import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SseParser, type SseMessage } from './sse-parser.ts';

function parseAll(chunks: readonly string[]): SseMessage[] {
  const p = new SseParser();
  return chunks.flatMap((c) => p.push(c));
}

describe('SSE parser', () => {
  it('reads events, ids, multi-line data and skips comments', () => {
    const text =
      ': heartbeat\n\nid: e1:1\nevent: observations\ndata: [1,\ndata: 2]\n\nevent: preview\ndata: {}\n\n';
    expect(parseAll([text])).toEqual([
      { event: 'observations', data: '[1,\n2]', id: 'e1:1' },
      { event: 'preview', data: '{}', id: undefined },
    ]);
  });

  it('gives the same events however the stream is cut, with LF, CRLF or CR line ends', () => {
    const events = fc.array(
      fc.record({
        event: fc.constantFrom('hello', 'observations', 'reset'),
        data: fc.string({ maxLength: 30 }).map((s) => s.replace(/[\r\n]/g, ' ')),
        id: fc.option(fc.stringMatching(/^[a-z0-9]{1,6}:[0-9]{1,4}$/), { nil: undefined }),
      }),
      { maxLength: 8 },
    );
    fc.assert(
      fc.property(
        events,
        fc.constantFrom('\n', '\r\n', '\r'),
        fc.array(fc.nat(), { maxLength: 6 }),
        (evs, eol, cuts) => {
          const text = evs
            .map(
              (e) =>
                `${e.id === undefined ? '' : `id: ${e.id}${eol}`}event: ${e.event}${eol}data: ${e.data}${eol}${eol}`,
            )
            .join('');
          const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
          const chunks: string[] = [];
          let at = 0;
          for (const p of points) {
            chunks.push(text.slice(at, p));
            at = p;
          }
          chunks.push(text.slice(at));
          expect(parseAll(chunks)).toEqual(evs.map((e) => ({ event: e.event, data: e.data, id: e.id })));
        },
      ),
      { numRuns: 300 },
    );
  });
});
