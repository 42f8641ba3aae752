import { CodecError } from '../../ble-devices/codecs/errors.ts';
import { racpRequest, racpResponse } from '../../ble-devices/codecs/racp.ts';
import { ATT, SimAttError } from '../gatt/att-error.ts';
import type { SimPeripheral } from '../gatt/sim-peripheral.ts';

/** One stored record: its sequence number and the frames that carry it (measurement, context). */
export interface StoredRecord {
  readonly sequence: number;
  readonly frames: ReadonlyArray<{ readonly char: string; readonly bytes: Uint8Array }>;
}

/** Options of {@link racpServer}. */
export interface RacpServerOptions {
  readonly peripheral: SimPeripheral;
  readonly service: string;
  /** The characteristic records are notified on (must be subscribed before a report). */
  readonly recordChar: string;
  /** The meter's records, oldest first (read at each request). */
  readonly records: () => readonly StoredRecord[];
  /** Deletes records (op 0x02). */
  readonly remove: (sequences: ReadonlySet<number>) => void;
  /** Time between two records of a transfer (one connection event or so). */
  readonly recordIntervalMs: number;
  /** Fault: drop the link after this many records of the first transfer. */
  readonly dropAfter?: number;
}

const RESPONSE = {
  success: 1,
  opCodeNotSupported: 2,
  invalidOperator: 3,
  invalidOperand: 5,
  noRecords: 6,
  operandNotSupported: 9,
} as const;

/**
 * A meter's Record Access Control Point (0x2A52) as GLS specifies it: report stored records
 * (all, <=, >=, range, first, last by sequence number), report the number of records, delete,
 * abort. Refuses a write with ATT 0x81 when indications are off and 0x80 while a procedure runs;
 * answers each procedure with one indication; streams records paced like a real meter, and stops
 * when the link drops (or drops it itself, once, for the mid-transfer fault).
 */
export function racpServer(o: RacpServerOptions): { onWrite: (value: Uint8Array) => void; stop: () => void } {
  const { peripheral, service } = o;
  let running: NodeJS.Timeout | null = null;
  let dropArmed = o.dropAfter !== undefined;

  const respond = (requestOpCode: number, responseCode: number): void => {
    setTimeout(() => {
      if (peripheral.connected)
        peripheral.emit(
          service,
          '2a52',
          racpResponse.encode({ kind: 'response_code', requestOpCode, responseCode }),
        );
    }, 1);
  };

  const select = (operator: number, values: readonly number[]): StoredRecord[] | number => {
    const all = o.records();
    const [a = 0, b = 0] = values;
    switch (operator) {
      case 1:
        return [...all];
      case 2:
        return all.filter((r) => r.sequence <= a);
      case 3:
        return all.filter((r) => r.sequence >= a);
      case 4:
        return a > b ? RESPONSE.invalidOperand : all.filter((r) => r.sequence >= a && r.sequence <= b);
      case 5:
        return all.slice(0, 1);
      case 6:
        return all.slice(-1);
      default:
        return RESPONSE.invalidOperator;
    }
  };

  const transfer = (queue: StoredRecord[], sent: number): void => {
    running = null;
    if (!peripheral.connected) return;
    const next = queue.shift();
    if (!next) {
      respond(1, RESPONSE.success);
      return;
    }
    for (const f of next.frames) peripheral.emit(service, f.char, f.bytes);
    if (dropArmed && sent + 1 === o.dropAfter) {
      dropArmed = false;
      peripheral.detach('simulated link loss during a RACP transfer');
      return;
    }
    running = setTimeout(() => transfer(queue, sent + 1), o.recordIntervalMs);
  };

  const onWrite = (value: Uint8Array): void => {
    if (!peripheral.isSubscribed(service, '2a52'))
      throw new SimAttError(ATT.cccdImproperlyConfigured, 'RACP indications are not enabled');
    const opCode = value[0] ?? 0;
    if (opCode === 3) {
      if (running) clearTimeout(running);
      running = null;
      respond(3, RESPONSE.success);
      return;
    }
    if (running) throw new SimAttError(ATT.procedureAlreadyInProgress, 'a RACP procedure is running');
    if (opCode !== 1 && opCode !== 2 && opCode !== 4) {
      respond(opCode, RESPONSE.opCodeNotSupported);
      return;
    }
    let request;
    try {
      request = racpRequest.decode(value);
    } catch (err) {
      if (!(err instanceof CodecError)) throw err;
      respond(opCode, err.field === 'filter_type' ? RESPONSE.operandNotSupported : RESPONSE.invalidOperand);
      return;
    }
    if (request.kind !== 'request') return;
    if (request.filter?.type === 'user_facing_time') {
      respond(opCode, RESPONSE.operandNotSupported);
      return;
    }
    const chosen = select(request.operator, request.filter?.values ?? []);
    if (typeof chosen === 'number') {
      respond(opCode, chosen);
      return;
    }
    if (opCode === 4) {
      setTimeout(() => {
        if (peripheral.connected)
          peripheral.emit(
            service,
            '2a52',
            racpResponse.encode({ kind: 'count', opCode: 5, count: chosen.length, countBytes: 2 }),
          );
      }, 1);
      return;
    }
    if (chosen.length === 0) {
      respond(opCode, RESPONSE.noRecords);
      return;
    }
    if (opCode === 2) {
      o.remove(new Set(chosen.map((r) => r.sequence)));
      respond(2, RESPONSE.success);
      return;
    }
    if (!peripheral.isSubscribed(service, o.recordChar))
      throw new SimAttError(ATT.cccdImproperlyConfigured, 'record notifications are not enabled');
    running = setTimeout(() => transfer(chosen, 0), o.recordIntervalMs);
  };

  return {
    onWrite,
    stop: () => {
      if (running) clearTimeout(running);
      running = null;
    },
  };
}
