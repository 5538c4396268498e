/**
 * Turns what the unpickler built into JS values (the table in decode.ts). Shared references stay shared and cycles
 * stay cycles: each Python object converts once. Nesting deeper than Python itself can pickle is refused, so a
 * hostile input cannot exhaust the stack.
 */
import { DBOSSerializationError } from '../errors.ts';
import { PICKLE } from './bytes.ts';
import { offsetText, unsupportedClass } from './classes.ts';
import {
  PyDict,
  PyException,
  PyGlobal,
  PyList,
  PyNewObject,
  PySet,
  PyTimedelta,
  PyTimezone,
  PyTuple,
  PyZoneInfo,
} from './model.ts';
import { defineKey, describeException } from './python-errors.ts';

/** Twice what CPython 3.11 can pickle (its pickler hits the recursion limit near 500 nested lists). */
const MAX_DEPTH = 1000;

/** Converts the unpickled value; `shared` holds the objects that may be referenced more than once. */
export function toJs(value: unknown, shared: ReadonlySet<object>): unknown {
  return new Converter(shared).convert(value, 0);
}

/** Remembers the JS form of shared objects only: every other object is referenced once. */
class ConvertedShared {
  readonly #shared: ReadonlySet<object>;
  readonly #converted = new Map<object, unknown>();

  constructor(shared: ReadonlySet<object>) {
    this.#shared = shared;
  }

  has(value: object): boolean {
    return this.#converted.has(value);
  }

  get(value: object): unknown {
    return this.#converted.get(value);
  }

  set(value: object, converted: unknown): void {
    if (this.#shared.has(value)) this.#converted.set(value, converted);
  }
}

class Converter {
  readonly #converted: ConvertedShared;

  constructor(shared: ReadonlySet<object>) {
    this.#converted = new ConvertedShared(shared);
  }

  convert(value: unknown, depth: number): unknown {
    if (value === null || typeof value !== 'object' || value instanceof Uint8Array || value instanceof Date) {
      return value;
    }
    if (this.#converted.has(value)) return this.#converted.get(value);
    if (depth > MAX_DEPTH) {
      throw new DBOSSerializationError(PICKLE, `the Python pickle nests deeper than ${MAX_DEPTH} levels`);
    }
    const inner = (item: unknown) => this.convert(item, depth + 1);
    if (value instanceof PyList || value instanceof PyTuple) {
      const array: unknown[] = [];
      this.#converted.set(value, array);
      for (const item of value.items) array.push(inner(item));
      return array;
    }
    if (value instanceof PyDict) return this.#dict(value, inner);
    if (value instanceof PySet) {
      const set = new Set<unknown>();
      this.#converted.set(value, set);
      for (const item of value.items) set.add(inner(item));
      return set;
    }
    if (value instanceof PyException) {
      const description = describeException(value, inner);
      this.#converted.set(value, description);
      return description;
    }
    return this.#leaf(value);
  }

  /** A dict with only str keys becomes a plain object; any other key makes it a Map. */
  #dict(dict: PyDict, inner: (item: unknown) => unknown): unknown {
    if (dict.entries.every(([key]) => typeof key === 'string')) {
      const object: Record<string, unknown> = {};
      this.#converted.set(dict, object);
      for (const [key, item] of dict.entries) defineKey(object, key as string, inner(item));
      return object;
    }
    const map = new Map<unknown, unknown>();
    this.#converted.set(dict, map);
    for (const [key, item] of dict.entries) map.set(inner(key), inner(item));
    return map;
  }

  #leaf(value: object): unknown {
    let converted: unknown;
    if (value instanceof PyTimedelta) {
      converted = { days: value.days, seconds: value.seconds, microseconds: value.microseconds };
    } else if (value instanceof PyTimezone) converted = offsetText(value.offset);
    else if (value instanceof PyZoneInfo) converted = value.key;
    else if (value instanceof PyNewObject) converted = uuidText(value);
    else if (value instanceof PyGlobal) throw unsupportedClass(value.qualifiedName);
    else throw new DBOSSerializationError(PICKLE, 'the Python pickle holds a value with no JS form');
    this.#converted.set(value, converted);
    return converted;
  }
}

/** `uuid.UUID` (state `{'int': n}`) → its canonical text `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`. */
function uuidText(object: PyNewObject): string {
  const state = object.state instanceof PyDict ? object.state.entries.find(([key]) => key === 'int') : undefined;
  const value = state?.[1];
  const int = typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value;
  if (typeof int !== 'bigint' || int < 0n || int >= 1n << 128n) {
    throw new DBOSSerializationError(PICKLE, 'malformed Python pickle: a uuid.UUID without a 128-bit int');
  }
  const hex = int.toString(16).padStart(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
