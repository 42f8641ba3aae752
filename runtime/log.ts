import { pino, type DestinationStream, type Logger } from 'pino';

/** Paths pino redacts in every log line: secrets never reach a log, whatever a caller passes. */
export const REDACT_PATHS = [
  'passphrase',
  '*.passphrase',
  'key',
  '*.key',
  'token',
  '*.token',
  'secret',
  '*.secret',
];

/** The kit's logger (JSON lines on stderr, so stdout stays for what the user asked for). */
export function createLogger(level: string, destination: DestinationStream = pino.destination(2)): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination);
}

export type { Logger };
