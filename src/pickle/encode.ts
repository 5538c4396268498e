/**
 * Writes plain data as a protocol 4 pickle, base64-encoded: what DBOS's default Python serializer reads
 * (`pickle.loads(base64.b64decode(text))`), e.g. a schedule context for a Python app's scheduler.
 *
 * | JS                                        | Python                                            |
 * |-------------------------------------------|---------------------------------------------------|
 * | `null`                                    | `None`                                            |
 * | `boolean`                                 | `bool`                                            |
 * | `number`: a safe integer (not `-0`)       | `int`                                             |
 * | `number`: any other (`1.5`, `1e300`, NaN) | `float`                                           |
 * | `bigint`                                  | `int`                                             |
 * | `string` (well-formed UTF-16)             | `str`                                             |
 * | `Array`                                   | `list`                                            |
 * | plain object (string keys)                | `dict` (key order kept)                           |
 * | `Date`                                    | `datetime.datetime` in `datetime.timezone.utc`    |
 *
 * Anything else (undefined, functions, symbols, Map, Set, class instances, cycles, invalid dates) is a
 * `ValidationError` naming the field and the rule.
 */
import { ValidationError } from '../errors.ts';
import { base64Encode } from '../http/signatures.ts';

/**
 * Nesting beyond this is refused: Python's unpickler would load it, but recursive Python code (repr, json, pickle
 * itself) could not walk it.
 */
const MAX_DEPTH = 1000;
/** Python's pickler batches APPENDS/SETITEMS by this many items. */
const BATCH = 1000;

const utf8 = new TextEncoder();
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Encodes `value` as base64 pickle text; `field` names it in errors (e.g. `context`). */
export function encodePickle(value: unknown, field = 'value'): string {
  return base64Encode(encodePickleBytes(value, field));
}

/** Encodes `value` as the bytes of a protocol 4 pickle. */
export function encodePickleBytes(value: unknown, field = 'value'): Uint8Array {
  const pickler = new Pickler();
  pickler.bytes(0x80, 4); // PROTO 4
  pickler.value(value, field, 0);
  pickler.bytes(0x2e); // STOP
  return pickler.result();
}

function refuse(field: string, rule: string, message: string): ValidationError {
  return new ValidationError([{ field, rule, message }]);
}

class Pickler {
  #buffer = new Uint8Array(256);
  #length = 0;
  readonly #open = new Set<object>();

  result(): Uint8Array {
    return this.#buffer.slice(0, this.#length);
  }

  #reserve(extra: number): void {
    if (this.#length + extra <= this.#buffer.length) return;
    let size = this.#buffer.length * 2;
    while (size < this.#length + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = grown;
  }

  bytes(...values: number[]): void {
    this.#reserve(values.length);
    for (const value of values) this.#buffer[this.#length++] = value;
  }

  #raw(data: Uint8Array): void {
    this.#reserve(data.length);
    this.#buffer.set(data, this.#length);
    this.#length += data.length;
  }

  #uint32(value: number): void {
    this.bytes(value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff);
  }

  value(value: unknown, field: string, depth: number): void {
    if (depth > MAX_DEPTH) throw refuse(field, 'max_depth', `nests deeper than ${MAX_DEPTH} levels`);
    if (value === null)
      this.bytes(0x4e); // NONE
    else if (value === true)
      this.bytes(0x88); // NEWTRUE
    else if (value === false)
      this.bytes(0x89); // NEWFALSE
    else if (typeof value === 'number') this.#number(value);
    else if (typeof value === 'bigint') this.#integer(value);
    else if (typeof value === 'string') this.#string(value, field);
    else if (value instanceof Date) this.#datetime(value, field);
    else if (Array.isArray(value)) this.#container(value, field, () => this.#list(value, field, depth));
    else if (isPlainObject(value)) this.#container(value, field, () => this.#dict(value, field, depth));
    else throw refuse(field, 'pickleable', `${kindOf(value)} has no Python pickle form ${PICKLEABLE}`);
  }

  #number(value: number): void {
    if (Number.isSafeInteger(value) && !Object.is(value, -0)) this.#integer(BigInt(value));
    else {
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setFloat64(0, value, false);
      this.bytes(0x47); // BINFLOAT, big-endian
      this.#raw(bytes);
    }
  }

  #integer(value: bigint): void {
    if (value >= 0n && value < 0x100n)
      this.bytes(0x4b, Number(value)); // BININT1
    else if (value >= 0n && value < 0x10000n)
      this.bytes(0x4d, Number(value) & 0xff, Number(value) >> 8); // BININT2
    else if (value >= -0x80000000n && value < 0x80000000n) {
      this.bytes(0x4a); // BININT
      this.#uint32(Number(BigInt.asUintN(32, value)));
    } else {
      const bytes = twosComplement(value);
      if (bytes.length < 0x100)
        this.bytes(0x8a, bytes.length); // LONG1
      else {
        this.bytes(0x8b); // LONG4
        this.#uint32(bytes.length);
      }
      this.#raw(bytes);
    }
  }

  #string(value: string, field: string): void {
    if (value.length < 0x100 && this.#shortAscii(value)) return;
    if (LONE_SURROGATE.test(value)) throw refuse(field, 'well_formed_string', 'holds a lone UTF-16 surrogate');
    // UTF-8 takes at most 3 bytes per UTF-16 unit: reserve that, encode in place, then write the real length.
    const short = value.length * 3 < 0x100;
    const header = short ? 2 : 5;
    this.#reserve(header + value.length * 3);
    const start = this.#length;
    const { written } = utf8.encodeInto(value, this.#buffer.subarray(start + header));
    if (short)
      this.#buffer.set([0x8c, written], start); // SHORT_BINUNICODE
    else {
      this.#buffer[start] = 0x58; // BINUNICODE (a JS string is far below 4 GiB)
      new DataView(this.#buffer.buffer).setUint32(start + 1, written, true);
    }
    this.#length = start + header + written;
  }

  /** The common case, written byte for byte: SHORT_BINUNICODE of an ASCII string. False if it is not one. */
  #shortAscii(value: string): boolean {
    this.#reserve(2 + value.length);
    const start = this.#length;
    for (let i = 0; i < value.length; i++) {
      const code = value.charCodeAt(i);
      if (code > 0x7f) return false;
      this.#buffer[start + 2 + i] = code;
    }
    this.#buffer[start] = 0x8c;
    this.#buffer[start + 1] = value.length;
    this.#length = start + 2 + value.length;
    return true;
  }

  #global(module: string, name: string): void {
    this.#string(module, module);
    this.#string(name, name);
    this.bytes(0x93); // STACK_GLOBAL
  }

  /** `datetime.datetime(<packed state>, datetime.timezone(datetime.timedelta(0, 0, 0)))`, as Python pickles it. */
  #datetime(value: Date, field: string): void {
    const time = value.getTime();
    if (Number.isNaN(time)) throw refuse(field, 'valid_date', 'is an invalid Date');
    const year = value.getUTCFullYear();
    if (year < 1 || year > 9999)
      throw refuse(field, 'datetime_range', 'is outside the years 1 to 9999 that Python datetimes hold');
    const microsecond = value.getUTCMilliseconds() * 1000;
    this.#global('datetime', 'datetime');
    this.bytes(0x43, 10); // SHORT_BINBYTES
    this.bytes(year >> 8, year & 0xff, value.getUTCMonth() + 1, value.getUTCDate());
    this.bytes(value.getUTCHours(), value.getUTCMinutes(), value.getUTCSeconds());
    this.bytes(microsecond >> 16, (microsecond >> 8) & 0xff, microsecond & 0xff);
    this.#global('datetime', 'timezone');
    this.#global('datetime', 'timedelta');
    this.bytes(0x4b, 0, 0x4b, 0, 0x4b, 0, 0x87, 0x52); // BININT1 0 ×3, TUPLE3, REDUCE: timedelta(0, 0, 0)
    this.bytes(0x85, 0x52); // TUPLE1, REDUCE: timezone(timedelta(0)), which Python resolves to timezone.utc
    this.bytes(0x86, 0x52); // TUPLE2, REDUCE: datetime(state, tz)
  }

  #container(value: object, field: string, write: () => void): void {
    if (this.#open.has(value)) throw refuse(field, 'acyclic', 'refers back to itself');
    this.#open.add(value);
    write();
    this.#open.delete(value);
  }

  #list(items: readonly unknown[], field: string, depth: number): void {
    this.bytes(0x5d); // EMPTY_LIST
    for (let start = 0; start < items.length; start += BATCH) {
      this.bytes(0x28); // MARK
      for (let i = start; i < Math.min(start + BATCH, items.length); i++) {
        if (!(i in items)) throw refuse(`${field}[${i}]`, 'pickleable', 'is a hole in a sparse array');
        this.value(items[i], `${field}[${i}]`, depth + 1);
      }
      this.bytes(0x65); // APPENDS
    }
  }

  #dict(object: Record<string, unknown>, field: string, depth: number): void {
    if (Object.getOwnPropertySymbols(object).length > 0) {
      throw refuse(field, 'pickleable', 'has symbol keys, which have no Python form');
    }
    const keys = Object.keys(object);
    this.bytes(0x7d); // EMPTY_DICT
    for (let start = 0; start < keys.length; start += BATCH) {
      this.bytes(0x28); // MARK
      for (const key of keys.slice(start, start + BATCH)) {
        this.#string(key, `${field}.${key}`);
        this.value(object[key], `${field}.${key}`, depth + 1);
      }
      this.bytes(0x75); // SETITEMS
    }
  }
}

const PICKLEABLE = '(use null, booleans, numbers, bigints, strings, arrays, plain objects and Dates)';

function kindOf(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value !== 'object' || value === null) return `a ${typeof value}`;
  return `a ${value.constructor?.name ?? 'object'}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** The shortest little-endian two's-complement bytes of `value`, as Python's pickler writes LONG1/LONG4. */
function twosComplement(value: bigint): Uint8Array {
  let length = 1;
  while (value < -(1n << BigInt(length * 8 - 1)) || value >= 1n << BigInt(length * 8 - 1)) length++;
  let unsigned = BigInt.asUintN(length * 8, value);
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    bytes[i] = Number(unsigned & 0xffn);
    unsigned >>= 8n;
  }
  return bytes;
}
