import { DBusError } from 'dbus-next';

/**
 * BlueZ 5.66's D-Bus errors with the texts bluetoothd sends (src/error.c, src/device.c,
 * src/gatt-client.c), so clients branch on exactly what the real daemon replies.
 */
export const BluezErrors = {
  failed: (text: string) => err('Failed', text),
  inProgress: () => err('InProgress', 'In Progress'),
  alreadyConnected: () => err('AlreadyConnected', 'Already Connected'),
  notConnected: () => err('NotConnected', 'Not Connected'),
  alreadyExists: () => err('AlreadyExists', 'Already Exists'),
  doesNotExist: (text = 'Does Not Exist') => err('DoesNotExist', text),
  notPermitted: (text: string) => err('NotPermitted', text),
  notSupported: () => err('NotSupported', 'Operation is not supported'),
  notReady: () => err('NotReady', 'Resource Not Ready'),
  invalidArguments: (text = 'Invalid arguments in method call') => err('InvalidArguments', text),
  authenticationFailed: () => err('AuthenticationFailed', 'Authentication Failed'),
  authenticationCanceled: () => err('AuthenticationCanceled', 'Authentication Canceled'),
  authenticationRejected: () => err('AuthenticationRejected', 'Authentication Rejected'),
  authenticationTimeout: () => err('AuthenticationTimeout', 'Authentication Timeout'),
  /** LE connection failures carry BlueZ's errno-derived reason strings (src/error.h). */
  le: (reason: 'le-connection-abort-by-local' | 'le-connection-key-missing' | 'le-connection-timeout') =>
    err('Failed', reason),
} as const;

function err(name: string, text: string): DBusError {
  return new DBusError(`org.bluez.Error.${name}`, text);
}
