import { createRequire } from 'node:module';

interface SimpleMarshaller {
  marshall(ps: unknown, data: unknown): void;
}
interface MarshallersModule {
  MakeSimpleMarshaller: ((type: string) => SimpleMarshaller) & { integerKeys?: true };
}

const INTEGER_TYPES = new Set(['y', 'n', 'q', 'i', 'u']);

/**
 * Lets dbus-next 0.10 send dictionaries with integer keys, such as BlueZ's
 * `ManufacturerData a{qv}`. Its JS-to-wire layer walks dictionaries with `Object.keys`, so every
 * key reaches the integer marshaller as a string and is refused ("Data: 76 was not of type
 * number"). This wraps the simple-marshaller factory so a string of decimal digits is written as
 * the number it spells; anything that was accepted before is written exactly as before.
 * Idempotent; applied by the simulated BlueZ, which must send ManufacturerData.
 */
export function allowIntegerDictKeys(): void {
  const require = createRequire(import.meta.url);
  const marshallers = require('dbus-next/lib/marshallers.js') as MarshallersModule;
  if (marshallers.MakeSimpleMarshaller.integerKeys) return;
  const original = marshallers.MakeSimpleMarshaller;
  const wrapped = (type: string): SimpleMarshaller => {
    const m = original(type);
    if (!INTEGER_TYPES.has(type)) return m;
    const marshall = m.marshall.bind(m);
    m.marshall = (ps, data) =>
      marshall(ps, typeof data === 'string' && /^\d+$/.test(data) ? Number(data) : data);
    return m;
  };
  marshallers.MakeSimpleMarshaller = Object.assign(wrapped, { integerKeys: true as const });
}
