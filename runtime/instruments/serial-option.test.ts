import { describe, expect, it } from 'vitest';
import { parseSerialOption } from './serial-option.ts';

describe('--serial', () => {
  it('reads auto, paths, and both', () => {
    expect(parseSerialOption('auto')).toEqual({ ok: true, options: { auto: true, paths: [] } });
    expect(parseSerialOption('/dev/ttyUSB0,/tmp/p')).toEqual({
      ok: true,
      options: { auto: false, paths: ['/dev/ttyUSB0', '/tmp/p'] },
    });
    expect(parseSerialOption('auto, /tmp/p')).toEqual({
      ok: true,
      options: { auto: true, paths: ['/tmp/p'] },
    });
  });

  it('names what is wrong', () => {
    expect(parseSerialOption('')).toMatchObject({ ok: false });
    expect(parseSerialOption('ttyUSB0')).toEqual({
      ok: false,
      message: "--serial: 'ttyUSB0' is neither auto nor an absolute port path",
    });
  });
});
