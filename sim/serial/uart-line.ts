/** Character framing on the wire: data bits, parity and stop bits (both ends must agree). */
export interface UartFraming {
  readonly dataBits: 7 | 8;
  readonly parity: 'none' | 'odd' | 'even';
  readonly stopBits: 1 | 2;
}

function bitsOf(bytes: Uint8Array, f: UartFraming): Uint8Array {
  const per = 1 + f.dataBits + (f.parity === 'none' ? 0 : 1) + f.stopBits;
  const out = new Uint8Array(bytes.length * per);
  let k = 0;
  for (const byte of bytes) {
    out[k++] = 0; // start bit
    let ones = 0;
    for (let i = 0; i < f.dataBits; i++) {
      const bit = (byte >> i) & 1;
      ones += bit;
      out[k++] = bit;
    }
    if (f.parity !== 'none') out[k++] = f.parity === 'odd' ? (ones + 1) & 1 : ones & 1;
    for (let i = 0; i < f.stopBits; i++) out[k++] = 1;
  }
  return out;
}

/**
 * What a UART receiving at `rxBaud` reads from bytes sent back to back at `txBaud`, both with
 * `framing`: the line is sampled in the middle of each receive bit after a start edge; a
 * character whose stop bit reads 0 (framing error) or whose parity is wrong is dropped, as a
 * Linux tty opened with IGNPAR does (serialport sets IGNPAR). Equal rates return the bytes
 * unchanged. This is how the simulated oximeter models a baud-rate mismatch on a pty, which
 * itself carries bytes, not bits.
 */
export function uartReceive(
  bytes: Uint8Array,
  txBaud: number,
  rxBaud: number,
  framing: UartFraming,
): Uint8Array {
  if (txBaud === rxBaud || bytes.length === 0) return bytes;
  const line = bitsOf(bytes, framing);
  const tx = 1 / txBaud;
  const rx = 1 / rxBaud;
  const end = line.length * tx;
  const level = (t: number): number => {
    const i = Math.floor(t / tx);
    return i >= line.length ? 1 : line[i]!;
  };
  const out: number[] = [];
  const charBits = 1 + framing.dataBits + (framing.parity === 'none' ? 0 : 1) + framing.stopBits;
  let t = 0;
  while (t < end) {
    // Wait for the line to be low: the start of a character as this receiver sees it.
    if (level(t) === 1) {
      const next = line.indexOf(0, Math.floor(t / tx) + 1);
      if (next < 0) break;
      t = next * tx;
    }
    if (level(t + rx / 2) !== 0) {
      t += rx / 2; // a glitch, not a start bit
      continue;
    }
    let value = 0;
    let ones = 0;
    for (let i = 0; i < framing.dataBits; i++) {
      const bit = level(t + (1.5 + i) * rx);
      ones += bit;
      value |= bit << i;
    }
    let ok = true;
    let at = 1 + framing.dataBits;
    if (framing.parity !== 'none') {
      const p = level(t + (at + 0.5) * rx);
      const total = ones + p;
      ok = framing.parity === 'odd' ? total % 2 === 1 : total % 2 === 0;
      at++;
    }
    if (level(t + (at + 0.5) * rx) !== 1) ok = false;
    if (ok) out.push(value);
    // Resume looking for a start edge after the middle of the (first) stop bit.
    t += (at + 0.5) * rx;
    if (charBits > at + 1 && ok) t += (charBits - at - 1) * rx;
  }
  return Uint8Array.from(out);
}
