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

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const META = new Set(['level', 'time', 'pid', 'hostname', 'msg']);

/**
 * Human-readable lines for a terminal (`12:00:01 INFO instrument connected device=sim-plx-1`);
 * the fields are the same, already redacted, JSON log record.
 */
export function terminalDestination(write: (line: string) => void): DestinationStream {
  return {
    write(json: string): void {
      const rec = JSON.parse(json) as Record<string, unknown>;
      const time = new Date(Number(rec.time)).toISOString().slice(11, 19);
      const fields = Object.entries(rec)
        .filter(([k]) => !META.has(k))
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      write(
        `${time} ${LEVELS[Number(rec.level)] ?? 'LOG'} ${typeof rec.msg === 'string' ? rec.msg : ''}${fields ? ' ' + fields : ''}\n`,
      );
    },
  };
}

function defaultDestination(): DestinationStream {
  return process.stderr.isTTY ? terminalDestination((l) => process.stderr.write(l)) : pino.destination(2);
}

/**
 * The kit's logger, on stderr so stdout stays for what the user asked for: JSON lines for
 * machines, readable lines when stderr is a terminal.
 */
export function createLogger(level: string, destination: DestinationStream = defaultDestination()): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination);
}

export type { Logger };
