/**
 * The only Python classes and functions a pickle may name, and what REDUCE, NEWOBJ and BUILD make of them. Nothing
 * is looked up or called: a name outside this list fails at GLOBAL/STACK_GLOBAL with an error naming the class.
 */
import { DBOSSerializationError } from '../errors.ts';
import { malformed, PICKLE } from './bytes.ts';
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
import { isExceptionClass } from './python-errors.ts';
import { checkZoneKnown, wallClockMs, zonedInstant } from './zones.ts';

/** Python 2 names that protocol 0–2 pickles use (Python's own fix_imports mapping, for the names allowed here). */
// Maps, not object literals: a pickle's names must never reach Object.prototype.
const MODULE_ALIASES = new Map(
  Object.entries({ __builtin__: 'builtins', exceptions: 'builtins', copy_reg: 'copyreg' }),
);
const NAME_ALIASES = new Map(
  Object.entries({
    'builtins.StandardError': 'Exception',
    'builtins.unicode': 'str',
    'builtins.long': 'int',
    'builtins.basestring': 'str',
  }),
);

type Reducer = (args: readonly unknown[]) => unknown;

const REDUCERS = new Map<string, Reducer>(
  Object.entries({
    'builtins.set': (args) => new PySet(itemsOf(args[0]), false),
    'builtins.frozenset': (args) => new PySet(itemsOf(args[0]), true),
    'builtins.bytes': (args) => (args.length === 0 ? new Uint8Array() : bytesArgument(args)),
    'builtins.bytearray': (args) => (args.length === 0 ? new Uint8Array() : bytesArgument(args)),
    '_codecs.encode': (args) => latin1Bytes(args),
    'datetime.datetime': (args) => datetimeOf(args),
    'datetime.date': (args) => dateOf(args),
    'datetime.time': (args) => timeOf(args),
    'datetime.timedelta': (args) => timedeltaOf(args),
    'datetime.timezone': (args) => timezoneOf(args),
    'decimal.Decimal': (args) => textArgument(args[0], 'decimal.Decimal'),
    'collections.OrderedDict': () => new PyDict(),
    // The factory is code; the mapping's contents are what a reader wants.
    'collections.defaultdict': () => new PyDict(),
    // `UUID.is_safe`, which says how the UUID was generated: not part of its value.
    'uuid.SafeUUID': () => null,
    // How protocols 2+ name a nested function: only `getattr(zoneinfo.ZoneInfo, '_unpickle')` is allowed.
    'builtins.getattr': (args) => zoneInfoUnpickler(args),
    'zoneinfo.ZoneInfo._unpickle': (args) => new PyZoneInfo(knownZone(args[0])),
    // Protocols 0–1 allocate plain-class instances (a UUID) with `_reconstructor(cls, object, None)`.
    'copyreg._reconstructor': (args) => newObject(args[0], new PyTuple([])),
  } satisfies Record<string, Reducer>),
);

/** Named only as a reference: a defaultdict's factory, or the class NEWOBJ allocates. */
const REFERENCES = new Set(
  [
    'builtins.list builtins.dict builtins.set builtins.frozenset builtins.tuple builtins.int builtins.float',
    'builtins.str builtins.bool builtins.bytes builtins.bytearray builtins.object uuid.UUID zoneinfo.ZoneInfo',
  ].flatMap((line) => line.split(' ')),
);

export function unsupportedClass(qualifiedName: string): DBOSSerializationError {
  return new DBOSSerializationError(
    PICKLE,
    `the Python pickle holds a ${qualifiedName}, a class dbos-edge does not read (it reads builtin values, datetime, ` +
      'decimal, uuid, collections, and builtin and DBOS exceptions; it never runs pickled code)',
  );
}

/**
 * GLOBAL/STACK_GLOBAL: a reference to an allowed class or function, else an error naming it. Where the pickle is a
 * stored error (`appExceptions`), an unknown class is kept as an app class: REDUCE may make an exception of it.
 */
export function resolveGlobal(module: string, name: string, appExceptions = false): PyGlobal {
  const canonicalModule = MODULE_ALIASES.get(module) ?? module;
  const canonicalName = NAME_ALIASES.get(`${canonicalModule}.${name}`) ?? name;
  const cls = new PyGlobal(canonicalModule, canonicalName);
  const key = cls.qualifiedName;
  if (REDUCERS.has(key) || REFERENCES.has(key) || isExceptionClass(cls)) return cls;
  if (appExceptions) return new PyGlobal(canonicalModule, canonicalName, true);
  throw unsupportedClass(key);
}

/**
 * REDUCE (and protocol 0's INST/OBJ): `callable(*args)` for an allowed callable, computed without calling anything.
 * An app class reduced with its arguments is an exception: `BaseException.__reduce__` pickles `(cls, args)` and then
 * its `__dict__`, and DBOS stores only exceptions where app classes are let through.
 */
export function reduce(callable: unknown, args: unknown): unknown {
  const cls = globalOf(callable, 'REDUCE');
  const items = tupleItems(args, 'REDUCE');
  if (cls.appClass || isExceptionClass(cls)) return new PyException(cls, items);
  const reducer = REDUCERS.get(cls.qualifiedName);
  if (!reducer) throw unsupportedClass(cls.qualifiedName);
  return reducer(items);
}

/** NEWOBJ/NEWOBJ_EX: `cls.__new__(cls, *args)`; the state BUILD restores next carries the value. */
export function newObject(callable: unknown, args: unknown): unknown {
  const cls = globalOf(callable, 'NEWOBJ');
  const items = tupleItems(args, 'NEWOBJ');
  if (isExceptionClass(cls)) return new PyException(cls, items);
  if (cls.qualifiedName === 'uuid.UUID') return new PyNewObject(cls);
  throw unsupportedClass(cls.qualifiedName);
}

/** BUILD: restores the state of an exception or a NEWOBJ-made object; nothing else takes state. */
export function build(target: unknown, state: unknown): void {
  if (target instanceof PyException || target instanceof PyNewObject) {
    target.state = state;
    return;
  }
  throw malformed(`BUILD on a ${describe(target)}, which takes no state`);
}

function globalOf(callable: unknown, opcode: string): PyGlobal {
  if (callable instanceof PyGlobal) return callable;
  throw malformed(`${opcode} of a ${describe(callable)}, which is not a class`);
}

function tupleItems(args: unknown, opcode: string): readonly unknown[] {
  if (args instanceof PyTuple) return args.items;
  throw malformed(`${opcode} arguments are a ${describe(args)}, not a tuple`);
}

export function describe(value: unknown): string {
  if (value === null) return 'None';
  if (value instanceof PyGlobal) return value.qualifiedName;
  return typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
}

function itemsOf(iterable: unknown): unknown[] {
  if (iterable === undefined) return [];
  if (iterable instanceof PyList || iterable instanceof PyTuple) return [...iterable.items];
  throw malformed(`a set built from a ${describe(iterable)}`);
}

function textArgument(value: unknown, what: string): string {
  if (typeof value === 'string') return value;
  throw malformed(`${what} needs a str argument, not a ${describe(value)}`);
}

/** `bytes(b)` / `bytearray(b)`, or protocol 0–2's `bytearray(text, 'latin-1')`. */
function bytesArgument(args: readonly unknown[]): Uint8Array {
  const [source] = args;
  if (source instanceof Uint8Array) return source.slice();
  return latin1Bytes(args);
}

/** `_codecs.encode(text, 'latin1')`: how protocols 0–2 carry bytes. */
function latin1Bytes(args: readonly unknown[]): Uint8Array {
  const [text, encoding] = args;
  if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) {
    throw malformed('bytes encoded other than as latin-1 text');
  }
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff) throw malformed('latin-1 bytes text holds a character above U+00FF');
    out[i] = code;
  }
  return out;
}

/** The packed state of a date, time or datetime: bytes, or (protocol 0–2) latin-1 text. */
function packedState(value: unknown, length: number, what: string): Uint8Array {
  const bytes = typeof value === 'string' ? latin1Bytes([value, 'latin1']) : value;
  if (bytes instanceof Uint8Array && bytes.length === length) return bytes;
  throw malformed(`${what} needs its ${length}-byte packed state`);
}

interface Clock {
  hour: number;
  minute: number;
  second: number;
  microsecond: number;
}

/** Bytes `[at, at+6)`: hour (high bit: fold), minute, second, 3-byte microsecond. */
function clockAt(bytes: Uint8Array, at: number): Clock {
  const byte = (i: number) => bytes[at + i] as number;
  const clock = {
    hour: byte(0) & 0x7f,
    minute: byte(1),
    second: byte(2),
    microsecond: (byte(3) << 16) | (byte(4) << 8) | byte(5),
  };
  if (clock.hour > 23 || clock.minute > 59 || clock.second > 59 || clock.microsecond > 999_999) {
    throw malformed('a time of day out of range');
  }
  return clock;
}

interface Day {
  year: number;
  month: number;
  day: number;
}

/** Bytes 0–3: 2-byte year, month (high bit: datetime's fold), day. */
function dayOf(bytes: Uint8Array): Day {
  const day = {
    year: ((bytes[0] as number) << 8) | (bytes[1] as number),
    month: (bytes[2] as number) & 0x7f,
    day: bytes[3] as number,
  };
  if (day.year < 1 || day.month < 1 || day.month > 12 || day.day < 1 || day.day > 31) {
    throw malformed('a date out of range');
  }
  return day;
}

function zoneInfoUnpickler(args: readonly unknown[]): PyGlobal {
  const [owner, attribute] = args;
  if (owner instanceof PyGlobal && owner.qualifiedName === 'zoneinfo.ZoneInfo' && attribute === '_unpickle') {
    return new PyGlobal('zoneinfo', 'ZoneInfo._unpickle');
  }
  throw unsupportedClass(`${describe(owner)}.${typeof attribute === 'string' ? attribute : describe(attribute)}`);
}

function knownZone(key: unknown): string {
  const zone = textArgument(key, 'zoneinfo.ZoneInfo');
  checkZoneKnown(zone);
  return zone;
}

/** A fixed offset (`datetime.timezone`), an IANA zone (`zoneinfo.ZoneInfo`), or none (naive). */
function tzinfoOf(tzinfo: unknown): PyTimedelta | PyZoneInfo | undefined {
  if (tzinfo === undefined || tzinfo === null) return undefined;
  if (tzinfo instanceof PyTimezone) return tzinfo.offset;
  if (tzinfo instanceof PyZoneInfo) return tzinfo;
  throw malformed(`a tzinfo that is a ${describe(tzinfo)}`);
}

/** `datetime.datetime` → `Date`: naive means UTC, aware is shifted to UTC; microseconds below 1 ms are dropped. */
function datetimeOf(args: readonly unknown[]): Date {
  const bytes = packedState(args[0], 10, 'datetime.datetime');
  const { year, month, day } = dayOf(bytes);
  const clock = clockAt(bytes, 4);
  const fold = ((bytes[2] as number) & 0x80) !== 0;
  const wall = wallClockMs(
    year,
    month,
    day,
    clock.hour,
    clock.minute,
    clock.second,
    Math.floor(clock.microsecond / 1000),
  );
  const tzinfo = tzinfoOf(args[1]);
  if (tzinfo instanceof PyZoneInfo) return new Date(zonedInstant(tzinfo.key, wall, fold));
  return new Date(tzinfo ? wall - Math.floor(tzinfo.totalMicroseconds / 1000) : wall);
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** `datetime.date` → `'YYYY-MM-DD'` (its `isoformat()`). */
function dateOf(args: readonly unknown[]): string {
  const { year, month, day } = dayOf(packedState(args[0], 4, 'datetime.date'));
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

/** `datetime.time` → `'HH:MM:SS[.ffffff][+HH:MM]'` (its `isoformat()`). */
function timeOf(args: readonly unknown[]): string {
  const clock = clockAt(packedState(args[0], 6, 'datetime.time'), 0);
  const fraction = clock.microsecond ? `.${pad(clock.microsecond, 6)}` : '';
  // A time's ZoneInfo has no offset without a date: Python's isoformat() writes none.
  const tzinfo = tzinfoOf(args[1]);
  const offset = tzinfo instanceof PyTimedelta ? offsetText(tzinfo) : '';
  return `${pad(clock.hour)}:${pad(clock.minute)}:${pad(clock.second)}${fraction}${offset}`;
}

/** A UTC offset as `isoformat()` writes it: `+HH:MM`, with `:SS` and `.ffffff` only when present. */
export function offsetText(offset: PyTimedelta): string {
  const total = offset.totalMicroseconds;
  const sign = total < 0 ? '-' : '+';
  const magnitude = Math.abs(total);
  const seconds = Math.floor(magnitude / 1_000_000);
  const micros = magnitude % 1_000_000;
  let text = `${sign}${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}`;
  if (seconds % 60 || micros) text += `:${pad(seconds % 60)}`;
  if (micros) text += `.${pad(micros, 6)}`;
  return text;
}

function timedeltaOf(args: readonly unknown[]): PyTimedelta {
  const [days, seconds, microseconds] = args;
  if (
    !Number.isInteger(days) ||
    Math.abs(days as number) > 999_999_999 ||
    !Number.isInteger(seconds) ||
    (seconds as number) < 0 ||
    (seconds as number) >= 86_400 ||
    !Number.isInteger(microseconds) ||
    (microseconds as number) < 0 ||
    (microseconds as number) >= 1_000_000
  ) {
    throw malformed('a datetime.timedelta out of range');
  }
  return new PyTimedelta(days as number, seconds as number, microseconds as number);
}

function timezoneOf(args: readonly unknown[]): PyTimezone {
  const [offset] = args;
  if (!(offset instanceof PyTimedelta) || Math.abs(offset.totalMicroseconds) >= 86_400_000_000) {
    throw malformed('a datetime.timezone without a valid offset');
  }
  return new PyTimezone(offset);
}
