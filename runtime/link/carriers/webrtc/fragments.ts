/**
 * Link frames over data-channel messages. A data channel's message limit (256 KiB in libwebrtc,
 * less in some browsers) is below the protocol's largest frame, so each frame travels as
 * fragments of at most {@link FRAGMENT_BYTES}, each with a one-byte tag. Reassembly is bounded
 * by the connection's frame limit; anything else is a typed protocol violation.
 */

/** Payload bytes per fragment (well under every implementation's message limit). */
export const FRAGMENT_BYTES = 60 * 1024;

/** Fragment tags. */
export const TAG = { more: 0, last: 1, close: 2 } as const;

/** Splits one frame into tagged fragments. */
export function fragment(frame: Uint8Array, size = FRAGMENT_BYTES): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  do {
    const end = Math.min(frame.byteLength, at + size);
    const part = new Uint8Array(1 + end - at);
    part[0] = end === frame.byteLength ? TAG.last : TAG.more;
    part.set(frame.subarray(at, end), 1);
    out.push(part);
    at = end;
  } while (at < frame.byteLength);
  return out;
}

/** A close notice with a short reason. */
export function closeFragment(reason: string): Uint8Array {
  const text = new TextEncoder().encode(reason.slice(0, 120));
  const out = new Uint8Array(1 + text.byteLength);
  out[0] = TAG.close;
  out.set(text, 1);
  return out;
}

/** What one received fragment amounts to. */
export type Reassembled =
  | { readonly kind: 'frame'; readonly frame: Uint8Array }
  | { readonly kind: 'partial' }
  | { readonly kind: 'close'; readonly reason: string }
  | { readonly kind: 'violation'; readonly detail: string };

/** Reassembles fragments into frames, refusing anything above `maxFrameBytes`. */
export class Reassembler {
  #parts: Uint8Array[] = [];
  #size = 0;
  constructor(readonly maxFrameBytes: number) {}

  push(message: Uint8Array): Reassembled {
    if (message.byteLength === 0) return { kind: 'violation', detail: 'empty fragment' };
    const tag = message[0];
    if (tag === TAG.close) return { kind: 'close', reason: new TextDecoder().decode(message.subarray(1)) };
    if (tag !== TAG.more && tag !== TAG.last) return { kind: 'violation', detail: `fragment tag ${tag}` };
    const body = message.subarray(1);
    this.#size += body.byteLength;
    if (this.#size > this.maxFrameBytes)
      return { kind: 'violation', detail: `frame above ${this.maxFrameBytes} bytes` };
    this.#parts.push(body);
    if (tag === TAG.more) return { kind: 'partial' };
    const frame = new Uint8Array(this.#size);
    let at = 0;
    for (const p of this.#parts) {
      frame.set(p, at);
      at += p.byteLength;
    }
    this.#parts = [];
    this.#size = 0;
    if (frame.byteLength === 0) return { kind: 'violation', detail: 'empty frame' };
    return { kind: 'frame', frame };
  }
}
