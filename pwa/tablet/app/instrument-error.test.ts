import { describe, expect, it } from 'vitest';
import { t } from '../../shared/i18n/i18n.ts';
import { instrumentErrorKey } from './instrument-error.ts';

/**
 * The kit's `lastError` texts as its transports and codecs write them (copied from
 * ble-devices/transports, sim/ and ble-devices/codecs), each to the message a feldsher reads.
 */
const CASES: readonly (readonly [string, string])[] = [
  ['kit stopping', 'instrumentErrStopping'],
  ['transport closed', 'instrumentErrStopping'],
  ['org.bluez.Error.AuthenticationFailed: Authentication Failed', 'instrumentErrBond'],
  ['le-connection-key-missing', 'instrumentErrBond'],
  ['Not paired', 'instrumentErrBond'],
  ['Bluetooth adapter hci0 is powered off', 'instrumentErrRadio'],
  ['BlueZ is not running (no org.bluez on the system bus)', 'instrumentErrRadio'],
  ['no answer from D-Bus at unix:path=/run/dbus in 3000 ms', 'instrumentErrRadio'],
  ['/dev/ttyUSB0 is in use by another program', 'instrumentErrBusy'],
  ['connect AA:BB:CC:DD:EE:FF: no answer in 10000 ms', 'instrumentErrTimeout'],
  ['no BLE device AA:BB:CC:DD:EE:FF in range', 'instrumentErrNotFound'],
  ['BlueZ does not know AA:BB:CC:DD:EE:FF', 'instrumentErrNotFound'],
  ['no serial port /dev/ttyUSB1', 'instrumentErrNotFound'],
  ['no simulated instrument sim-plx-2', 'instrumentErrNotFound'],
  ['AA:BB: link lost while connecting', 'instrumentErrLost'],
  ['simulated link loss', 'instrumentErrLost'],
  ['collector disconnected', 'instrumentErrLost'],
  ['/dev/ttyUSB0 is not open', 'instrumentErrLost'],
  ['connect: aborted', 'instrumentErrLost'],
  ['invalid_value: plx_continuous.sync at offset 0: expected 0x7D', 'instrumentErrData'],
  ['truncated: blood_pressure_measurement.flags at offset 0: need 1 byte', 'instrumentErrData'],
  ['unsupported: polar_pmd.frame_type at offset 9: compressed frames', 'instrumentErrData'],
  ['something nobody planned for', 'instrumentErrOther'],
];

describe('instrument errors in the tablet’s words', () => {
  it.each(CASES)('%s -> %s', (raw, key) => {
    expect(instrumentErrorKey(raw)).toBe(key);
  });

  it('has a Russian and an English message for every kind, never the raw English', () => {
    for (const [raw] of CASES) {
      const ru = t('ru', instrumentErrorKey(raw));
      expect(ru).toMatch(/[а-яё]/i);
      expect(ru).not.toContain(raw);
      expect(t('en', instrumentErrorKey(raw))).not.toBe('');
    }
  });
});
