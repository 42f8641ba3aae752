/** One server-sent event as parsed: name (default `message`), data and id when it carried one. */
export interface SseMessage {
  readonly event: string;
  readonly data: string;
  readonly id: string | undefined;
}

/**
 * An incremental parser of the `text/event-stream` format (the WHATWG rules that matter here:
 * CRLF, CR or LF line ends, `event`/`data`/`id` fields, comment lines, blank line dispatches,
 * a chunk may end anywhere). The live channel is read through `fetch()` (EventSource cannot send
 * an Authorization header), so the browser's own parser is not available.
 */
export class SseParser {
  /** Longest unfinished line kept (a stream that never ends a line is cut, not buffered forever). */
  static readonly MAX_LINE = 4 * 1024 * 1024;
  #buffer = '';
  #event = '';
  #data: string[] = [];
  #id: string | undefined;
  #pendingCr = false;

  /** Feeds decoded text; returns the events completed by it. */
  push(text: string): SseMessage[] {
    let chunk = text;
    // A CR at the end of the previous chunk may be half of a CRLF.
    if (this.#pendingCr && chunk.startsWith('\n')) chunk = chunk.slice(1);
    this.#pendingCr = chunk.endsWith('\r');
    this.#buffer += chunk;
    const out: SseMessage[] = [];
    const lines = this.#buffer.split(/\r\n|\r|\n/);
    this.#buffer = lines.pop() ?? '';
    if (this.#buffer.length > SseParser.MAX_LINE)
      throw new RangeError('live channel: a line longer than 4 MiB');
    for (const line of lines) {
      if (line === '') {
        if (this.#data.length > 0)
          out.push({ event: this.#event || 'message', data: this.#data.join('\n'), id: this.#id });
        this.#event = '';
        this.#data = [];
        this.#id = undefined;
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') this.#event = value;
      else if (field === 'data') this.#data.push(value);
      else if (field === 'id' && !value.includes('\0')) this.#id = value;
    }
    return out;
  }
}
