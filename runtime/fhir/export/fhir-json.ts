import type { Decimal } from '../fhir-types.ts';
import { STREAMED_DATA, STREAMED_HASH } from './streamed-data.ts';

/**
 * FHIR JSON with decimals as the instrument gave them. JSON.stringify writes 36.60 as 36.6, but
 * FHIR keeps a decimal's precision (36.60 °C from a two-decimal thermometer is not 36.6), so a
 * {@link Decimal} is serialised through a marker and then written as the digits themselves.
 */

// Control characters are removed from every string on the way out (the replacer below), so the
// marker, written by JSON.stringify as the escape `\u0001`, cannot be forged by a patient's name,
// a note or a device name.
const MARK = '\u0001fk-dec:';
const MARKED = /"\\u0001fk-dec:(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)"/g;

/** A decimal with its precision, for `Quantity.value` and `SampledData.period`. */
export function decimal(value: number, precision: number): Decimal {
  return { value, precision };
}

// C0 controls other than tab, line feed and carriage return are not FHIR string characters.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

function isDecimal(v: unknown): v is Decimal {
  if (typeof v !== 'object' || v === null) return false;
  const keys = Object.keys(v);
  return (
    keys.length === 2 &&
    typeof (v as Decimal).value === 'number' &&
    typeof (v as Decimal).precision === 'number'
  );
}

/** The decimal's text: fixed precision where that is exact, else the shortest round-trip form. */
export function decimalText(d: Decimal): string {
  if (!Number.isFinite(d.value)) throw new RangeError('a FHIR decimal must be finite');
  const p = Math.max(0, Math.min(12, Math.trunc(d.precision)));
  const fixed = d.value.toFixed(p);
  return Number(fixed) === d.value ? fixed : String(d.value);
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'string')
    return value === STREAMED_DATA || value === STREAMED_HASH ? value : value.replace(CONTROL, '');
  return isDecimal(value) ? MARK + decimalText(value) : value;
}

/** A resource (or any exported object) as FHIR JSON text. */
export function toFhirJson(value: unknown): string {
  return JSON.stringify(value, replacer).replace(MARKED, '$1');
}

/** Text as a FHIR string: control characters removed, surrounding whitespace trimmed. */
export function fhirText(text: string): string {
  return text.replace(CONTROL, '').trim();
}
