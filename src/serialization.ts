/**
 * Payload formats of the DBOS system database (`serialization` column):
 * - `portable_json`: plain JSON, readable by Python and TS workers alike (the dbos-edge default);
 * - `js_superjson`: the TS SDK's native format, superjson plus a `__dbos_serializer` marker (`native`);
 * - a custom `Serializer`'s own name;
 * - `py_pickle`: Python's native format (base64 pickle), read by the safe decoder in `pickle/decode.ts`.
 * NULL (legacy rows) is read by sniffing the text.
 */
import superjson from 'superjson';
import { DBOSSerializationError, ValidationError } from './errors.ts';
import { decodePickle } from './pickle/decode.ts';
import { encodePickle } from './pickle/encode.ts';

/** Same shape as `@dbos-inc/dbos-sdk`'s `DBOSSerializer`, so one object can serve both. */
export interface Serializer {
  name(): string;
  stringify(value: unknown): string | Promise<string>;
  parse(text: string): unknown | Promise<unknown>;
}

/** Which format to write: `portable` (cross-language JSON) or `native` (TS superjson). */
export type SerializationType = 'portable' | 'native';

export const PORTABLE = 'portable_json';
export const NATIVE = 'js_superjson';
export const PICKLE = 'py_pickle';
const MARKER_KEY = '__dbos_serializer';
const MARKER_VALUE = 'superjson';

/** Values mapped the way both SDKs map them to portable JSON; functions and symbols are refused, not dropped. */
function portableReplacer(this: unknown, key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString(10);
  if (typeof value === 'function' || typeof value === 'symbol') {
    throw new DBOSSerializationError(
      PORTABLE,
      `a ${typeof value}${key ? ` at key "${key}"` : ''} has no portable JSON form`,
    );
  }
  // JSON.stringify has already called Date#toJSON before the replacer sees the value.
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) {
      if (typeof k !== 'string') {
        throw new DBOSSerializationError(PORTABLE, 'a Map with non-string keys has no portable JSON form');
      }
      out[k] = v;
    }
    return out;
  }
  if (value instanceof Set) return [...value];
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}

export function portableStringify(value: unknown): string {
  return JSON.stringify(value ?? null, portableReplacer);
}

export function nativeStringify(value: unknown): string {
  return JSON.stringify({ ...superjson.serialize(value), [MARKER_KEY]: MARKER_VALUE });
}

function isMarkedSuperjson(v: unknown): v is { json: never; meta?: never } {
  return (
    typeof v === 'object' && v !== null && (v as Record<string, unknown>)[MARKER_KEY] === MARKER_VALUE && 'json' in v
  );
}

/** What a decode reads: a value, or a stored error (where a pickle may hold an exception of the app's own classes). */
export type DecodedAs = 'value' | 'error';

/** A pickled value; what it cannot read is an error naming the value. */
function decodePickled(text: string, what: string, as: DecodedAs): unknown {
  try {
    return decodePickle(text, { appExceptions: as === 'error' });
  } catch (e) {
    throw new DBOSSerializationError(PICKLE, `${what}: ${(e as Error).message}`);
  }
}

/** Encodes and decodes payloads for one client: the built-in formats plus the client's optional custom serializer. */
export class Codec {
  readonly #custom: Serializer | undefined;

  constructor(custom?: Serializer) {
    this.#custom = custom;
  }

  /** The format written when a call does not choose one: the custom serializer if configured, else portable. */
  get defaultName(): string {
    return this.#custom ? this.#custom.name() : PORTABLE;
  }

  nameFor(type: SerializationType | undefined): string {
    if (type === 'portable') return PORTABLE;
    if (type === 'native') return NATIVE;
    return this.defaultName;
  }

  /** Serializes a value (output, message, event, context) in the named format. */
  async encode(value: unknown, name: string, field: string): Promise<string> {
    try {
      if (name === PORTABLE) return portableStringify(value);
      if (name === NATIVE) return nativeStringify(value);
      if (name === PICKLE) return encodePickle(value, field);
      if (this.#custom && name === this.#custom.name()) return await this.#custom.stringify(value);
    } catch (e) {
      if (e instanceof ValidationError) throw e;
      throw new ValidationError([
        { field, rule: 'serializable', message: `cannot be serialized as ${name}: ${(e as Error).message}` },
      ]);
    }
    throw new ValidationError([{ field, rule: 'serialization', message: `no serializer named ${name} is configured` }]);
  }

  /**
   * Serializes workflow arguments. Portable inputs are `{"positionalArgs":[...],"namedArgs":{...}}` (namedArgs
   * omitted when empty, as TS writes it); pickle, as Python writes them, `{"args": [...], "kwargs": {...}}`; every
   * other format stores the positional array itself.
   */
  async encodeArgs(
    positional: readonly unknown[],
    named: Record<string, unknown> | undefined,
    name: string,
  ): Promise<string> {
    if (name === PICKLE) return encodePickle({ args: positional, kwargs: named ?? {} }, 'args');
    if (name !== PORTABLE && named && Object.keys(named).length > 0) {
      throw new ValidationError([
        { field: 'namedArgs', rule: 'portable_only', message: 'named arguments need portable serialization' },
      ]);
    }
    const record =
      named && Object.keys(named).length > 0
        ? { positionalArgs: positional, namedArgs: named }
        : { positionalArgs: positional };
    try {
      return name === PORTABLE ? portableStringify(record) : await this.encode(positional, name, 'args');
    } catch (e) {
      // Name the offending argument rather than the whole list.
      for (const [i, arg] of positional.entries()) await this.encode(arg, name, `args[${i}]`);
      for (const [k, arg] of Object.entries(named ?? {})) await this.encode(arg, name, `namedArgs.${k}`);
      if (e instanceof ValidationError) throw e;
      throw new ValidationError([
        { field: 'args', rule: 'serializable', message: `cannot be serialized: ${(e as Error).message}` },
      ]);
    }
  }

  /** Deserializes a stored value; `what` names it in errors (e.g. "the output of workflow X"). */
  async decode(
    text: string | null | undefined,
    serialization: string | null | undefined,
    what: string,
    as: DecodedAs = 'value',
  ): Promise<unknown> {
    if (text === null || text === undefined) return null;
    if (serialization === PORTABLE) return JSON.parse(text);
    if (serialization === NATIVE) {
      const parsed: unknown = JSON.parse(text);
      if (!isMarkedSuperjson(parsed)) {
        throw new DBOSSerializationError(NATIVE, `${what} is marked ${NATIVE} but carries no superjson marker`);
      }
      return superjson.deserialize(parsed);
    }
    if (serialization === PICKLE) return decodePickled(text, what, as);
    if (serialization && this.#custom && serialization === this.#custom.name()) return await this.#custom.parse(text);
    if (serialization) {
      throw new DBOSSerializationError(
        serialization,
        `${what} uses serialization "${serialization}"; configure the client with a serializer of that name to read it`,
      );
    }
    return this.#decodeLegacy(text, what, as);
  }

  /**
   * Rows written without a `serialization` name: superjson if marked, the custom serializer, plain JSON, or pickle
   * (`gA` is the base64 of its PROTO opcode).
   */
  async #decodeLegacy(text: string, what: string, as: DecodedAs): Promise<unknown> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      if (this.#custom) return await this.#custom.parse(text);
      if (text.startsWith('gA')) return decodePickled(text, what, as);
      throw new DBOSSerializationError('unknown', `${what} is in an unrecognised format`);
    }
    return isMarkedSuperjson(parsed) ? superjson.deserialize(parsed) : parsed;
  }

  /**
   * The format of a value stored without a format name (a schedule's context): superjson if marked, portable JSON
   * if it parses, else the custom serializer's, or pickle.
   */
  formatOf(text: string): string {
    try {
      return isMarkedSuperjson(JSON.parse(text)) ? NATIVE : PORTABLE;
    } catch {
      if (this.#custom) return this.#custom.name();
      return text.startsWith('gA') ? PICKLE : 'unknown';
    }
  }

  /**
   * Deserializes workflow inputs: the positional arguments (portable `positionalArgs`, Python `args`) and the named
   * ones when there are any (portable `namedArgs`, Python `kwargs`); every other format stores the positional list.
   */
  async decodeInputs(
    text: string | null | undefined,
    serialization: string | null | undefined,
    what: string,
  ): Promise<WorkflowInputs | undefined> {
    if (text === null || text === undefined) return undefined;
    const value = await this.decode(text, serialization, what);
    if (serialization === PORTABLE || (serialization == null && isPortableArgs(value))) {
      const v = value as { positionalArgs?: unknown[]; namedArgs?: unknown };
      return inputs(v.positionalArgs, v.namedArgs);
    }
    // Python's inputs are `{"args": (...), "kwargs": {...}}`: pickled (`py_pickle`), or, from a Python app's own
    // scheduler, with no format name (pickle or JSON).
    if (serialization === PICKLE || (serialization == null && isPythonInputs(value))) {
      const v = value as { args?: unknown[]; kwargs?: unknown } | null;
      return inputs(v?.args, v?.kwargs);
    }
    return { args: value as unknown[] };
  }
}

/** A workflow's inputs as stored: positional arguments, and named ones only when there are some. */
export interface WorkflowInputs {
  readonly args: unknown[];
  readonly namedArgs?: Record<string, unknown>;
}

function inputs(args: unknown[] | undefined, named: unknown): WorkflowInputs {
  const namedArgs =
    typeof named === 'object' && named !== null && !Array.isArray(named) && Object.keys(named).length > 0
      ? (named as Record<string, unknown>)
      : undefined;
  return namedArgs ? { args: args ?? [], namedArgs } : { args: args ?? [] };
}

function isPythonInputs(v: unknown): boolean {
  return typeof v === 'object' && v !== null && Array.isArray((v as { args?: unknown }).args) && 'kwargs' in v;
}

function isPortableArgs(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'positionalArgs' in v;
}
