import { DBusError } from 'dbus-next';
import { TransportError } from '../../transport.ts';

/**
 * Maps what BlueZ (or the bus) replied to the transport's typed codes. Callers branch on the
 * code; the message keeps BlueZ's own words (`org.bluez.Error.Failed: le-connection-abort-by-local`).
 */
export function fromBluez(err: unknown, what: string): TransportError {
  if (err instanceof TransportError) return err;
  if (!(err instanceof DBusError)) {
    return new TransportError('unavailable', `${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const said = `${what}: ${err.type}: ${err.text}`;
  const name = err.type.replace(/^org\.bluez\.Error\./, '');
  switch (name) {
    case 'NotPermitted':
      return new TransportError(err.text === 'Not paired' ? 'not_bonded' : 'not_permitted', said);
    case 'NotAuthorized':
    case 'NotSupported':
      return new TransportError('not_permitted', said);
    case 'NotConnected':
      return new TransportError('not_connected', said);
    case 'InvalidArguments':
      return new TransportError(/length/i.test(err.text) ? 'value_too_long' : 'not_permitted', said);
    case 'AuthenticationFailed':
    case 'AuthenticationCanceled':
    case 'AuthenticationRejected':
    case 'AuthenticationTimeout':
    case 'ConnectionAttemptFailed':
      return new TransportError('pairing_failed', said);
    case 'DoesNotExist':
      return new TransportError('not_found', said);
    case 'Failed':
      if (err.text === 'le-connection-key-missing') return new TransportError('not_bonded', said);
      if (
        err.text === 'Not connected' ||
        err.text.startsWith('le-connection-') ||
        err.text.startsWith('br-connection-')
      )
        return new TransportError('not_connected', said);
      return new TransportError('unavailable', said);
  }
  if (
    err.type === 'org.freedesktop.DBus.Error.UnknownObject' ||
    err.type === 'org.freedesktop.DBus.Error.UnknownMethod'
  )
    return new TransportError('not_found', said);
  return new TransportError('unavailable', said);
}

/** True for BlueZ's reply to a call that found the work already done or under way. */
export function isBluezError(err: unknown, ...names: string[]): boolean {
  return err instanceof DBusError && names.some((n) => err.type === `org.bluez.Error.${n}`);
}
