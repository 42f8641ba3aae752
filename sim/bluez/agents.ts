import { DBusError, Message, type MessageBus } from 'dbus-next';
import { BluezErrors } from './bluez-errors.ts';
import type { DbusInterface } from './dbus/object-tree.ts';

/** IO capabilities an agent may declare (doc/agent-api.txt). */
export type AgentCapability =
  'DisplayOnly' | 'DisplayYesNo' | 'KeyboardOnly' | 'NoInputNoOutput' | 'KeyboardDisplay';

const CAPABILITIES: readonly string[] = [
  'DisplayOnly',
  'DisplayYesNo',
  'KeyboardOnly',
  'NoInputNoOutput',
  'KeyboardDisplay',
];

/** An agent a client registered with RegisterAgent. */
export interface RegisteredAgent {
  readonly sender: string;
  readonly path: string;
  readonly capability: AgentCapability;
}

/** How an agent request ended when it did not answer normally. */
export class AgentRefusal extends Error {
  constructor(
    readonly kind: 'rejected' | 'canceled' | 'timeout' | 'gone' | 'failed',
    message: string,
  ) {
    super(message);
    this.name = 'AgentRefusal';
  }
}

/**
 * AgentManager1 and the calls bluetoothd makes into registered agents. Agents belong to the bus
 * connection that registered them and vanish with it; the default agent is the one asked for
 * with RequestDefaultAgent, else the earliest registered. A request an agent leaves unanswered
 * for `timeoutMs` is cancelled (Agent1.Cancel) and fails as a timeout, as bluetoothd does.
 */
export class AgentRegistry {
  #agents: RegisteredAgent[] = [];
  #default: RegisteredAgent | null = null;

  constructor(
    private readonly bus: () => MessageBus,
    private readonly timeoutMs: number,
  ) {}

  /** The agent used for a Pair() from `sender`: its own, else the default one. */
  forSender(sender: string): RegisteredAgent | null {
    return this.#agents.find((a) => a.sender === sender) ?? this.#default ?? this.#agents[0] ?? null;
  }

  /** Drops the agents of a client that left the bus. */
  senderGone(sender: string): void {
    this.#agents = this.#agents.filter((a) => a.sender !== sender);
    if (this.#default?.sender === sender) this.#default = null;
  }

  clear(): void {
    this.#agents = [];
    this.#default = null;
  }

  get count(): number {
    return this.#agents.length;
  }

  /** org.bluez.AgentManager1, exported at /org/bluez. */
  iface(): DbusInterface {
    return {
      name: 'org.bluez.AgentManager1',
      properties: {},
      methods: {
        RegisterAgent: {
          in: 'os',
          out: '',
          inArgs: ['agent', 'capability'],
          call: ([path, capability], msg) => {
            const cap = (capability as string) === '' ? 'KeyboardDisplay' : (capability as string);
            if (!CAPABILITIES.includes(cap)) throw BluezErrors.invalidArguments();
            if (this.#agents.some((a) => a.sender === msg.sender)) throw BluezErrors.alreadyExists();
            this.#agents.push({
              sender: msg.sender,
              path: path as string,
              capability: cap as AgentCapability,
            });
            return [];
          },
        },
        UnregisterAgent: {
          in: 'o',
          out: '',
          inArgs: ['agent'],
          call: ([path], msg) => {
            const agent = this.#agents.find((a) => a.sender === msg.sender && a.path === path);
            if (!agent) throw BluezErrors.doesNotExist('No such Agent');
            this.#agents = this.#agents.filter((a) => a !== agent);
            if (this.#default === agent) this.#default = null;
            return [];
          },
        },
        RequestDefaultAgent: {
          in: 'o',
          out: '',
          inArgs: ['agent'],
          call: ([path], msg) => {
            const agent = this.#agents.find((a) => a.sender === msg.sender && a.path === path);
            if (!agent) throw BluezErrors.doesNotExist('No such Agent');
            this.#default = agent;
            return [];
          },
        },
      },
    };
  }

  /**
   * Calls an Agent1 method and returns its reply body. Rejected/Canceled replies, a vanished
   * agent and the timeout become an {@link AgentRefusal}; `signal` (CancelPairing, link loss)
   * sends Agent1.Cancel and rejects as canceled.
   */
  async request(
    agent: RegisteredAgent,
    member: string,
    signature: string,
    body: unknown[],
    signal: AbortSignal,
  ): Promise<unknown[]> {
    const bus = this.bus();
    const call = bus.call(
      new Message({
        destination: agent.sender,
        path: agent.path,
        interface: 'org.bluez.Agent1',
        member,
        signature,
        body,
      }),
    );
    let timer: NodeJS.Timeout | undefined;
    let onAbort = (): void => undefined;
    const stop = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.#cancel(agent);
        reject(new AgentRefusal('timeout', `agent did not answer ${member} in ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      onAbort = () => {
        this.#cancel(agent);
        reject(new AgentRefusal('canceled', `${member} cancelled`));
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const reply = await Promise.race([call, stop]);
      return (reply?.body ?? []) as unknown[];
    } catch (e) {
      if (e instanceof AgentRefusal) throw e;
      if (e instanceof DBusError) {
        if (e.type === 'org.bluez.Error.Rejected') throw new AgentRefusal('rejected', e.text);
        if (e.type === 'org.bluez.Error.Canceled') throw new AgentRefusal('canceled', e.text);
        if (e.type.startsWith('org.freedesktop.DBus.Error.')) throw new AgentRefusal('gone', e.text);
        throw new AgentRefusal('failed', `${e.type}: ${e.text}`);
      }
      throw new AgentRefusal('failed', e instanceof Error ? e.message : String(e));
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      call.catch(() => undefined);
    }
  }

  /** Tells the agent its request is void (doc/agent-api.txt: Cancel). */
  #cancel(agent: RegisteredAgent): void {
    this.bus()
      .call(
        new Message({
          destination: agent.sender,
          path: agent.path,
          interface: 'org.bluez.Agent1',
          member: 'Cancel',
        }),
      )
      .catch(() => undefined);
  }

  /** Tells the agent the simulated bluetoothd is letting it go (shutdown). */
  releaseAll(): void {
    for (const a of this.#agents) {
      this.bus()
        .call(
          new Message({
            destination: a.sender,
            path: a.path,
            interface: 'org.bluez.Agent1',
            member: 'Release',
          }),
        )
        .catch(() => undefined);
    }
  }
}
