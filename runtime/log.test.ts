import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './log.ts';

describe('logger', () => {
  it('redacts passphrases, keys and tokens wherever a caller puts them', () => {
    let out = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        out += chunk.toString();
        cb();
      },
    });
    const log = createLogger('info', sink);
    log.info({ passphrase: 'hunter2-secret', store: { key: 'k3y-material' }, token: 't0ken' }, 'opening');
    expect(out).toContain('opening');
    expect(out).not.toContain('hunter2-secret');
    expect(out).not.toContain('k3y-material');
    expect(out).not.toContain('t0ken');
  });
});
