import { CodecError } from '../codecs/errors.ts';
import { RACP_RESPONSE_CODES } from '../codecs/racp-tables.ts';
import { racpRequest, racpResponse, type RacpFilter } from '../codecs/racp.ts';
import { enumName } from '../codecs/tables.ts';
import { TransportError, type GattConnection } from '../transport.ts';

/** RACP op codes and operators the kit uses (DEVICES.md 5.4). */
const OP = { report: 1, abort: 3, count: 4 } as const;
const OPERATOR = { all: 1, atLeast: 3 } as const;
const RESPONSE = { success: 1, notSupported: 2, noRecords: 6 } as const;

/** Why a RACP procedure failed: the meter's response code, a timeout, an abort. */
export class RacpError extends Error {
  constructor(
    readonly code: 'refused' | 'timeout' | 'aborted',
    /** The RACP Response Code value when the meter answered one. */
    readonly responseCode: number | null,
    message: string,
  ) {
    super(message);
    this.name = 'RacpError';
  }
}

/** Which records a procedure addresses: all, or those with a sequence number at least `from`. */
export type RacpSelection = { readonly all: true } | { readonly from: number };

function operands(sel: RacpSelection): { operator: number; filter: RacpFilter | null } {
  return 'all' in sel
    ? { operator: OPERATOR.all, filter: null }
    : { operator: OPERATOR.atLeast, filter: { type: 'sequence_number', values: [sel.from] } };
}

interface Waiter {
  readonly opCode: number;
  resolve(answer: { count?: number; responseCode?: number }): void;
  reject(error: Error): void;
}

/** Options of {@link RacpClient}. */
export interface RacpClientOptions {
  readonly service: string;
  /** How long a procedure may stay silent (no record, no answer) before it is abandoned. */
  readonly idleTimeoutMs?: number;
  /** An indication the codec refused: counted by the caller like any dropped frame. */
  readonly onGarbage?: (raw: Uint8Array, error: CodecError) => void;
}

/**
 * The collector side of a Record Access Control Point: one procedure at a time, each written
 * with a response and ended only by the meter's final indication (a quiet gap is not the end;
 * silence longer than the idle timeout is, and the procedure is then aborted). A dropped link or
 * the caller's signal ends the wait at once. Listeners exist only while a procedure runs.
 */
export class RacpClient {
  #waiter: Waiter | null = null;
  #poke: () => void = () => undefined;

  private constructor(
    private readonly conn: GattConnection,
    private readonly options: RacpClientOptions,
  ) {}

  /** Subscribes to the control point's indications (call after the record notifications). */
  static async open(conn: GattConnection, options: RacpClientOptions): Promise<RacpClient> {
    const client = new RacpClient(conn, options);
    await conn.subscribe(options.service, '2a52', 'indicate', (raw) => client.#indication(raw));
    return client;
  }

  #indication(raw: Uint8Array): void {
    let message;
    try {
      message = racpResponse.decode(raw);
    } catch (err) {
      if (!(err instanceof CodecError)) throw err;
      this.options.onGarbage?.(raw, err);
      return;
    }
    const w = this.#waiter;
    if (!w) return;
    if (message.kind === 'count' && w.opCode === OP.count) w.resolve({ count: message.count });
    else if (message.kind === 'response_code' && message.requestOpCode === w.opCode)
      w.resolve({ responseCode: message.responseCode });
  }

  /** Tells the client the meter is still sending (a record arrived): restarts the idle timer. */
  activity(): void {
    this.#poke();
  }

  /** Number of stored records matching the selection (op 0x04); null if the meter does not say. */
  async count(sel: RacpSelection, signal?: AbortSignal, idleTimeoutMs?: number): Promise<number | null> {
    const answer = await this.#procedure(OP.count, sel, signal, idleTimeoutMs);
    if (answer.count !== undefined) return answer.count;
    if (answer.responseCode === RESPONSE.noRecords) return 0;
    return null;
  }

  /**
   * Asks for the selected records (op 0x01); they arrive on the measurement characteristic while
   * this waits for the final response: `success` or `no_records`. Anything else is a RacpError.
   */
  async report(
    sel: RacpSelection,
    signal?: AbortSignal,
    idleTimeoutMs?: number,
  ): Promise<'success' | 'no_records'> {
    const { responseCode } = await this.#procedure(OP.report, sel, signal, idleTimeoutMs);
    if (responseCode === RESPONSE.success) return 'success';
    if (responseCode === RESPONSE.noRecords) return 'no_records';
    throw new RacpError(
      'refused',
      responseCode ?? null,
      `meter answered ${enumName(RACP_RESPONSE_CODES, responseCode ?? 0)} to report stored records`,
    );
  }

  async #procedure(
    opCode: number,
    sel: RacpSelection,
    signal?: AbortSignal,
    idleTimeoutMs?: number,
  ): Promise<{ count?: number; responseCode?: number }> {
    if (this.#waiter) throw new RacpError('refused', null, 'a RACP procedure is already running');
    if (signal?.aborted) throw new RacpError('aborted', null, 'RACP procedure aborted');
    const idleMs = idleTimeoutMs ?? this.options.idleTimeoutMs ?? 30_000;
    const cleanups: Array<() => void> = [];
    const answer = new Promise<{ count?: number; responseCode?: number }>((resolve, reject) => {
      this.#waiter = { opCode, resolve, reject };
      let timer = setTimeout(
        () => reject(new RacpError('timeout', null, `RACP silent for ${idleMs} ms`)),
        idleMs,
      );
      this.#poke = () => {
        clearTimeout(timer);
        timer = setTimeout(
          () => reject(new RacpError('timeout', null, `RACP silent for ${idleMs} ms`)),
          idleMs,
        );
      };
      cleanups.push(() => clearTimeout(timer));
      cleanups.push(
        this.conn.onDisconnect((reason) =>
          reject(new TransportError('not_connected', `link lost during RACP procedure: ${reason}`)),
        ),
      );
      const onAbort = (): void => reject(new RacpError('aborted', null, 'RACP procedure aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      cleanups.push(() => signal?.removeEventListener('abort', onAbort));
    });
    try {
      const { operator, filter } = operands(sel);
      await Promise.race([
        this.conn.write(
          this.options.service,
          '2a52',
          racpRequest.encode({ kind: 'request', opCode, operator, filter }),
        ),
        answer.then(() => undefined),
      ]);
      return await answer;
    } catch (err) {
      if (err instanceof RacpError && err.code !== 'refused') await this.#abortOnMeter();
      throw err;
    } finally {
      this.#waiter = null;
      this.#poke = () => undefined;
      for (const c of cleanups) c();
      // The promise may have been rejected after the race settled; it is handled here.
      answer.catch(() => undefined);
    }
  }

  /** Best effort: tells the meter to stop sending (op 0x03); the link may already be gone. */
  async #abortOnMeter(): Promise<void> {
    await this.conn
      .write(
        this.options.service,
        '2a52',
        racpRequest.encode({ kind: 'request', opCode: OP.abort, operator: 0, filter: null }),
      )
      .catch(() => undefined);
  }
}
