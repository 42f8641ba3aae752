import { Message, MessageType, type MessageBus } from 'dbus-next';
import type { PairingAnswer, PairingPrompt, PairingResponder } from '../../transport.ts';

const AGENT = 'org.bluez.Agent1';

interface Pending {
  readonly respond: PairingResponder;
  readonly signal: AbortSignal;
}

/**
 * The kit's own org.bluez.Agent1, exported on the transport's bus connection (BlueZ refuses a
 * Pair() it cannot ask anyone about). Each request BlueZ makes for a device being paired through
 * {@link KitAgent.expect} becomes a {@link PairingPrompt} for that pairing's responder (the
 * manager relays it to the tablet); requests for any other device, or from anyone but BlueZ, are
 * rejected. Agent1.Cancel aborts the prompts in flight.
 */
export class KitAgent {
  readonly #pending = new Map<string, Pending>();
  readonly #inFlight = new Set<AbortController>();
  readonly #handler: (msg: Message) => boolean;

  constructor(
    private readonly bus: MessageBus,
    readonly path: string,
    /** The unique name that owns org.bluez now: only it may drive the agent. */
    private readonly bluezOwner: () => string | null,
    private readonly isPaired: (devicePath: string) => boolean,
  ) {
    this.#handler = (msg) => this.#handle(msg);
    bus.addMethodHandler(this.#handler);
  }

  /** Routes the agent requests for `devicePath` to `respond` until the returned release is called. */
  expect(devicePath: string, respond: PairingResponder, signal: AbortSignal): () => void {
    const entry = { respond, signal };
    this.#pending.set(devicePath, entry);
    return () => {
      if (this.#pending.get(devicePath) === entry) this.#pending.delete(devicePath);
    };
  }

  /** Stops answering (the connection is closing). */
  detach(): void {
    this.bus.removeMethodHandler(this.#handler);
    for (const ac of this.#inFlight) ac.abort();
  }

  #handle(msg: Message): boolean {
    if (msg.type !== MessageType.METHOD_CALL || msg.path !== this.path || msg.interface !== AGENT)
      return false;
    if (msg.sender !== this.bluezOwner()) {
      this.#error(msg, 'org.bluez.Error.Rejected', 'only BlueZ may use this agent');
      return true;
    }
    const body = msg.body as unknown[];
    switch (msg.member) {
      case 'Release':
        this.#reply(msg, '', []);
        return true;
      case 'Cancel':
        for (const ac of this.#inFlight) ac.abort();
        this.#reply(msg, '', []);
        return true;
      case 'RequestPinCode':
      case 'DisplayPinCode':
        // Legacy BR/EDR PINs: no instrument of ours uses them.
        this.#error(msg, 'org.bluez.Error.Rejected', 'PIN pairing is not supported');
        return true;
      case 'AuthorizeService':
        if (this.isPaired(body[0] as string)) this.#reply(msg, '', []);
        else this.#error(msg, 'org.bluez.Error.Rejected', 'unknown device');
        return true;
      case 'RequestPasskey':
        this.#ask(msg, { kind: 'enter-passkey' }, (a) =>
          typeof a === 'number' && Number.isInteger(a) && a >= 0 && a <= 999_999 ? ['u', [a]] : null,
        );
        return true;
      case 'RequestConfirmation':
        this.#ask(msg, { kind: 'confirm-passkey', passkey: body[1] as number }, (a) =>
          a === true ? ['', []] : null,
        );
        return true;
      case 'RequestAuthorization':
        this.#ask(msg, { kind: 'authorize' }, (a) => (a === true ? ['', []] : null));
        return true;
      case 'DisplayPasskey': {
        // Nothing to answer: show the passkey; BlueZ goes on waiting for the instrument.
        const p = this.#pending.get(body[0] as string);
        this.#reply(msg, '', []);
        if (p)
          void p
            .respond({ kind: 'display-passkey', passkey: body[1] as number }, p.signal)
            .catch(() => undefined);
        return true;
      }
      default:
        this.#error(msg, 'org.freedesktop.DBus.Error.UnknownMethod', `no method ${msg.member}`);
        return true;
    }
  }

  #ask(msg: Message, prompt: PairingPrompt, toReply: (a: PairingAnswer) => [string, unknown[]] | null): void {
    const p = this.#pending.get((msg.body as unknown[])[0] as string);
    if (!p) {
      this.#error(msg, 'org.bluez.Error.Rejected', 'no pairing in progress for this device');
      return;
    }
    const ac = new AbortController();
    const onAbort = (): void => ac.abort();
    p.signal.addEventListener('abort', onAbort, { once: true });
    this.#inFlight.add(ac);
    p.respond(prompt, ac.signal)
      .then(
        (answer) => {
          const reply = ac.signal.aborted ? null : toReply(answer);
          if (reply) this.#reply(msg, reply[0], reply[1]);
          else if (ac.signal.aborted) this.#error(msg, 'org.bluez.Error.Canceled', 'cancelled');
          else this.#error(msg, 'org.bluez.Error.Rejected', 'refused');
        },
        () => this.#error(msg, 'org.bluez.Error.Canceled', 'cancelled'),
      )
      .finally(() => {
        this.#inFlight.delete(ac);
        p.signal.removeEventListener('abort', onAbort);
      });
  }

  #reply(msg: Message, signature: string, body: unknown[]): void {
    this.bus.send(Message.newMethodReturn(msg, signature, body));
  }

  #error(msg: Message, name: string, text: string): void {
    this.bus.send(Message.newError(msg as unknown as string, name, text));
  }
}
