import { DBusError, Message, MessageType, Variant, type MessageBus } from 'dbus-next';

/** A D-Bus method of an exported interface: exact in/out signatures, as BlueZ declares them. */
export interface DbusMethod {
  readonly in: string;
  readonly out: string;
  /** Argument names for introspection (in, then out). */
  readonly inArgs?: readonly string[];
  readonly outArgs?: readonly string[];
  /** Returns the reply body (one value per out type); throws a {@link DBusError} to reply an error. */
  call(body: readonly unknown[], msg: Message): unknown[] | Promise<unknown[]>;
}

/** A property: `get` returns undefined when the property is absent (BlueZ's optional properties). */
export interface DbusProperty {
  readonly signature: string;
  readonly access: 'read' | 'readwrite';
  get(): unknown;
  set?(value: unknown): void;
}

/** One interface on one object path. */
export interface DbusInterface {
  readonly name: string;
  readonly methods: Readonly<Record<string, DbusMethod>>;
  readonly properties: Readonly<Record<string, DbusProperty>>;
  /** Signal name -> signature, for introspection. */
  readonly signals?: Readonly<Record<string, string>>;
}

const PROPS = 'org.freedesktop.DBus.Properties';
const INTROSPECTABLE = 'org.freedesktop.DBus.Introspectable';
const OBJECT_MANAGER = 'org.freedesktop.DBus.ObjectManager';
const INVALID_ARGS = 'org.freedesktop.DBus.Error.InvalidArgs';

/**
 * A service-side D-Bus object tree over dbus-next's low-level message API. dbus-next's own
 * service layer cannot leave an optional property out (it errors on `undefined`), removes every
 * interface of a path when one is unexported, and has no ObjectManager; BlueZ's clients
 * (bluetoothctl's GDBus client, node-ble's introspection) depend on all three. Every reply and
 * signal goes out on the one connection that owns the service name.
 */
export class ObjectTree {
  readonly #objects = new Map<string, Map<string, DbusInterface>>();
  readonly #handler: (msg: Message) => boolean;

  constructor(
    private readonly bus: MessageBus,
    private readonly objectManagerPath = '/',
  ) {
    this.#handler = (msg) => this.#handle(msg);
    bus.addMethodHandler(this.#handler);
  }

  /** Stops answering (the connection is going away). */
  detach(): void {
    this.bus.removeMethodHandler(this.#handler);
  }

  has(path: string): boolean {
    return this.#objects.has(path);
  }

  /** Exports interfaces on a path and announces them with InterfacesAdded. */
  add(path: string, interfaces: readonly DbusInterface[]): void {
    const obj = this.#objects.get(path) ?? new Map<string, DbusInterface>();
    for (const i of interfaces) obj.set(i.name, i);
    this.#objects.set(path, obj);
    if (path === this.objectManagerPath) return;
    this.#signal(this.objectManagerPath, OBJECT_MANAGER, 'InterfacesAdded', 'oa{sa{sv}}', [
      path,
      Object.fromEntries(interfaces.map((i) => [i.name, propertyValues(i)])),
    ]);
  }

  /** Removes a path (and every path below it, children first) with InterfacesRemoved for each. */
  remove(path: string): void {
    const doomed = [...this.#objects.keys()]
      .filter((p) => p === path || p.startsWith(`${path}/`))
      .sort((a, b) => b.length - a.length);
    for (const p of doomed) {
      const names = [...this.#objects.get(p)!.keys()];
      this.#objects.delete(p);
      this.#signal(this.objectManagerPath, OBJECT_MANAGER, 'InterfacesRemoved', 'oas', [p, names]);
    }
  }

  /** Emits PropertiesChanged with the current values of `changed` (absent ones go to invalidated). */
  propertiesChanged(path: string, iface: string, changed: readonly string[]): void {
    const impl = this.#objects.get(path)?.get(iface);
    if (!impl) return;
    const values: Record<string, Variant> = {};
    const invalidated: string[] = [];
    for (const name of changed) {
      const prop = impl.properties[name];
      if (!prop) continue;
      const v = prop.get();
      if (v === undefined) invalidated.push(name);
      else values[name] = new Variant(prop.signature, v);
    }
    this.#signal(path, PROPS, 'PropertiesChanged', 'sa{sv}as', [iface, values, invalidated]);
  }

  /** Emits PropertiesChanged carrying exactly the given value (a notification: sent even if unchanged). */
  propertyValue(path: string, iface: string, name: string, signature: string, value: unknown): void {
    this.#signal(path, PROPS, 'PropertiesChanged', 'sa{sv}as', [
      iface,
      { [name]: new Variant(signature, value) },
      [],
    ]);
  }

  /** GetManagedObjects' answer: every object below the manager with every present property. */
  managedObjects(): Record<string, Record<string, Record<string, Variant>>> {
    const out: Record<string, Record<string, Record<string, Variant>>> = {};
    for (const [path, ifaces] of this.#objects) {
      if (path === this.objectManagerPath) continue;
      out[path] = Object.fromEntries([...ifaces.values()].map((i) => [i.name, propertyValues(i)]));
    }
    return out;
  }

  #signal(path: string, iface: string, member: string, signature: string, body: unknown[]): void {
    this.bus.send(Message.newSignal(path, iface, member, signature, body));
  }

  #reply(msg: Message, signature: string, body: unknown[]): void {
    this.bus.send(Message.newMethodReturn(msg, signature, body));
  }

  #error(msg: Message, name: string, text: string): void {
    this.bus.send(Message.newError(msg as unknown as string, name, text));
  }

  #handle(msg: Message): boolean {
    if (msg.type !== MessageType.METHOD_CALL) return false;
    const path = msg.path;
    const iface = msg.interface;
    if (iface === 'org.freedesktop.DBus.Peer') return false; // dbus-next answers Ping itself
    if (iface === INTROSPECTABLE && msg.member === 'Introspect') {
      this.#reply(msg, 's', [this.#introspect(path)]);
      return true;
    }
    const obj = this.#objects.get(path);
    if (iface === PROPS) return this.#properties(msg, obj);
    if (iface === OBJECT_MANAGER && path === this.objectManagerPath && msg.member === 'GetManagedObjects') {
      this.#reply(msg, 'a{oa{sa{sv}}}', [this.managedObjects()]);
      return true;
    }
    const impl = obj?.get(iface);
    const method = impl?.methods[msg.member];
    if (!impl || !method) {
      this.#error(
        msg,
        'org.freedesktop.DBus.Error.UnknownMethod',
        `Method "${msg.member}" with signature "${msg.signature ?? ''}" on interface "${iface}" doesn't exist`,
      );
      return true;
    }
    if ((msg.signature ?? '') !== method.in) {
      this.#error(
        msg,
        'org.freedesktop.DBus.Error.UnknownMethod',
        `Method "${msg.member}" with signature "${msg.signature ?? ''}" on interface "${iface}" doesn't exist`,
      );
      return true;
    }
    const send = (body: unknown[]): void => this.#reply(msg, method.out, body);
    const fail = (err: unknown): void => {
      if (err instanceof DBusError) this.#error(msg, err.type, err.text);
      else this.#error(msg, 'org.bluez.Error.Failed', err instanceof Error ? err.message : String(err));
    };
    try {
      const result = method.call(msg.body as unknown[], msg);
      if (result instanceof Promise) result.then(send, fail);
      else send(result);
    } catch (err) {
      fail(err);
    }
    return true;
  }

  #properties(msg: Message, obj: Map<string, DbusInterface> | undefined): boolean {
    const [ifaceName, name, value] = msg.body as [string, string?, Variant?];
    const impl = obj?.get(ifaceName);
    if (msg.member === 'GetAll' && msg.signature === 's') {
      if (!obj) return this.#unknownObject(msg);
      this.#reply(msg, 'a{sv}', [impl ? propertyValues(impl) : {}]);
      return true;
    }
    const prop = name === undefined ? undefined : impl?.properties[name];
    if (msg.member === 'Get' && msg.signature === 'ss') {
      if (!obj) return this.#unknownObject(msg);
      const v = prop?.get();
      if (!prop || v === undefined) this.#error(msg, INVALID_ARGS, `No such property '${name}'`);
      else this.#reply(msg, 'v', [new Variant(prop.signature, v)]);
      return true;
    }
    if (msg.member === 'Set' && msg.signature === 'ssv') {
      if (!obj) return this.#unknownObject(msg);
      if (!prop || prop.get() === undefined) {
        this.#error(msg, INVALID_ARGS, `No such property '${name}'`);
      } else if (prop.access !== 'readwrite' || !prop.set) {
        this.#error(msg, 'org.freedesktop.DBus.Error.PropertyReadOnly', `Property '${name}' is not writable`);
      } else if (!(value instanceof Variant) || value.signature !== prop.signature) {
        this.#error(msg, INVALID_ARGS, `Invalid type for property '${name}'`);
      } else {
        try {
          prop.set(value.value);
          this.#reply(msg, '', []);
        } catch (err) {
          if (err instanceof DBusError) this.#error(msg, err.type, err.text);
          else this.#error(msg, 'org.bluez.Error.Failed', String(err));
        }
      }
      return true;
    }
    this.#error(msg, 'org.freedesktop.DBus.Error.UnknownMethod', `Unknown Properties method ${msg.member}`);
    return true;
  }

  #unknownObject(msg: Message): boolean {
    this.#error(msg, 'org.freedesktop.DBus.Error.UnknownObject', `No such object path '${msg.path}'`);
    return true;
  }

  #introspect(path: string): string {
    const prefix = path === '/' ? '/' : `${path}/`;
    const children = new Set<string>();
    for (const p of this.#objects.keys()) {
      if (p !== path && p.startsWith(prefix)) children.add(p.slice(prefix.length).split('/')[0]!);
    }
    const ifaces = [...(this.#objects.get(path)?.values() ?? [])];
    const parts = [
      '<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"',
      '"http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">',
      '<node>',
      `<interface name="${INTROSPECTABLE}"><method name="Introspect"><arg name="xml" type="s" direction="out"/></method></interface>`,
    ];
    if (path === this.objectManagerPath) {
      parts.push(
        `<interface name="${OBJECT_MANAGER}"><method name="GetManagedObjects"><arg name="objects" type="a{oa{sa{sv}}}" direction="out"/></method>` +
          '<signal name="InterfacesAdded"><arg name="object" type="o"/><arg name="interfaces" type="a{sa{sv}}"/></signal>' +
          '<signal name="InterfacesRemoved"><arg name="object" type="o"/><arg name="interfaces" type="as"/></signal></interface>',
      );
    }
    for (const i of ifaces) parts.push(interfaceXml(i));
    if (ifaces.length > 0) parts.push(PROPERTIES_XML);
    for (const c of [...children].sort()) parts.push(`<node name="${c}"/>`);
    parts.push('</node>');
    return parts.join('\n');
  }
}

const PROPERTIES_XML =
  `<interface name="${PROPS}">` +
  '<method name="Get"><arg name="interface" type="s" direction="in"/><arg name="name" type="s" direction="in"/><arg name="value" type="v" direction="out"/></method>' +
  '<method name="Set"><arg name="interface" type="s" direction="in"/><arg name="name" type="s" direction="in"/><arg name="value" type="v" direction="in"/></method>' +
  '<method name="GetAll"><arg name="interface" type="s" direction="in"/><arg name="properties" type="a{sv}" direction="out"/></method>' +
  '<signal name="PropertiesChanged"><arg name="interface" type="s"/><arg name="changed_properties" type="a{sv}"/><arg name="invalidated_properties" type="as"/></signal>' +
  '</interface>';

/** Splits a D-Bus signature into its complete single types ('oa{sv}' -> ['o', 'a{sv}']). */
export function splitSignature(signature: string): string[] {
  const out: string[] = [];
  let i = 0;
  const one = (): void => {
    const c = signature[i++];
    if (c === 'a') one();
    else if (c === '(' || c === '{') {
      const close = c === '(' ? ')' : '}';
      while (signature[i] !== close) one();
      i++;
    }
  };
  while (i < signature.length) {
    const start = i;
    one();
    out.push(signature.slice(start, i));
  }
  return out;
}

function interfaceXml(i: DbusInterface): string {
  const parts = [`<interface name="${i.name}">`];
  for (const [name, m] of Object.entries(i.methods)) {
    const ins = splitSignature(m.in).map(
      (t, n) => `<arg name="${m.inArgs?.[n] ?? `arg${n}`}" type="${t}" direction="in"/>`,
    );
    const outs = splitSignature(m.out).map(
      (t, n) => `<arg name="${m.outArgs?.[n] ?? `out${n}`}" type="${t}" direction="out"/>`,
    );
    parts.push(`<method name="${name}">${[...ins, ...outs].join('')}</method>`);
  }
  for (const [name, sig] of Object.entries(i.signals ?? {})) {
    parts.push(
      `<signal name="${name}">${splitSignature(sig)
        .map((t, n) => `<arg name="arg${n}" type="${t}"/>`)
        .join('')}</signal>`,
    );
  }
  for (const [name, p] of Object.entries(i.properties)) {
    parts.push(`<property name="${name}" type="${p.signature}" access="${p.access}"/>`);
  }
  parts.push('</interface>');
  return parts.join('');
}

function propertyValues(i: DbusInterface): Record<string, Variant> {
  const out: Record<string, Variant> = {};
  for (const [name, p] of Object.entries(i.properties)) {
    const v = p.get();
    if (v !== undefined) out[name] = new Variant(p.signature, v);
  }
  return out;
}

/** A BlueZ-style D-Bus error reply (`org.bluez.Error.Failed: le-connection-abort-by-local`). */
export function bluezError(name: string, text: string): DBusError {
  return new DBusError(`org.bluez.Error.${name}`, text);
}
