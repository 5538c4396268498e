/**
 * Reads Python pickles (what a Python DBOS app stores as `py_pickle`: base64 of `pickle.dumps(value)`) without
 * running anything: the opcode stream is interpreted here, and only the classes below may be named. Protocols 0–5.
 *
 * | Python                                   | JS                                                                   |
 * |------------------------------------------|----------------------------------------------------------------------|
 * | `None`                                   | `null`                                                               |
 * | `bool`                                   | `boolean`                                                            |
 * | `int`                                    | `number` when a safe integer, else `bigint`                          |
 * | `float`                                  | `number` (`NaN`, `±Infinity`, `-0` included)                         |
 * | `str`                                    | `string`                                                             |
 * | `bytes`, `bytearray`                     | `Uint8Array` (a copy)                                                |
 * | `list`, `tuple`                          | `Array` (shared references stay shared, cycles stay cycles)          |
 * | `dict`, `OrderedDict`, `defaultdict`     | plain object when every key is a `str` (order kept), else `Map`;     |
 * |                                          | a defaultdict's factory is dropped                                   |
 * | `set`, `frozenset`                       | `Set`                                                                |
 * | `datetime.datetime`                      | `Date`: naive = UTC; aware = the UTC instant, by its fixed offset or |
 * |                                          | its `zoneinfo` zone (PEP 495 `fold` kept); sub-millisecond           |
 * |                                          | microseconds are dropped (JS dates hold milliseconds)                |
 * | `datetime.date`                          | `'YYYY-MM-DD'`                                                       |
 * | `datetime.time`                          | `'HH:MM:SS[.ffffff][+HH:MM]'` (Python's `isoformat()`)               |
 * | `datetime.timedelta`                     | `{ days, seconds, microseconds }`, normalised as Python stores it    |
 * | `datetime.timezone`                      | its offset, `'+HH:MM'` (`'+00:00'` for UTC); its name is dropped     |
 * | `zoneinfo.ZoneInfo`                      | its key, e.g. `'Europe/Paris'`                                       |
 * | `decimal.Decimal`                        | `string`, exactly `str(d)` (`'1.50'`, `'1E+3'`, `'NaN'`)             |
 * | `uuid.UUID`                              | `string`, `'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx'`                   |
 * | builtin exceptions (`ValueError`, …) and | `PythonErrorDescription`: `{ name, message, code, data?,             |
 * | DBOS's (`dbos._error.*`)                 | pythonClass, args, attributes }`; `message` is `str(err)`            |
 * | an app's own exception class, in a       | the same description; `message` is what `BaseException.__str__`      |
 * | stored error (`appExceptions`)           | gives                                                                |
 * | anything else (an app's own classes too) | `DBOSSerializationError` naming the class (`module.qualname`)        |
 *
 * Malformed, truncated or hostile input is a `DBOSSerializationError`: every declared length is checked against the
 * input before anything is allocated, the work is linear in the input, and nesting is bounded. Not supported:
 * out-of-band buffers (protocol 5 `NEXT_BUFFER`), persistent IDs, the extension registry, and `str`s holding lone
 * surrogates (Python writes them with `surrogatepass`; here they are malformed UTF-8).
 */
import { base64Decode } from '../http/signatures.ts';
import { ByteCursor, latin1Text, littleEndianInteger, malformed, narrowInteger } from './bytes.ts';
import { build, describe, newObject, reduce, resolveGlobal } from './classes.ts';
import { toJs } from './convert.ts';
import { PyDict, PyList, PySet, PyTuple } from './model.ts';

export type { PythonErrorDescription } from './python-errors.ts';

export interface DecodeOptions {
  /**
   * The pickle is a stored error (a workflow's or a step's): an exception of the app's own classes is described as
   * the builtin ones are (its `name`, `str()` message, args and attributes), where elsewhere its class is refused.
   */
  appExceptions?: boolean;
}

/** Decodes the base64 text of a pickle, as DBOS's default Python serializer stores it. */
export function decodePickle(base64Text: string, options: DecodeOptions = {}): unknown {
  const bytes = base64Decode(base64Text);
  if (!bytes) throw malformed('the text is not base64');
  return decodePickleBytes(bytes, options);
}

/** Decodes the bytes of a pickle. */
export function decodePickleBytes(bytes: Uint8Array, options: DecodeOptions = {}): unknown {
  const unpickler = new Unpickler(new ByteCursor(bytes), options.appExceptions ?? false);
  const loaded = unpickler.load();
  return toJs(loaded, unpickler.shared);
}

class Unpickler {
  readonly #input: ByteCursor;
  #stack: unknown[] = [];
  readonly #marks: unknown[][] = [];
  /** Indexed by memo index (values are never undefined); an array, as CPython's memo is dense in practice. */
  readonly #memo: unknown[] = [];
  #memoCount = 0;
  /** Objects fetched from the memo or DUP'ed: the only ones that can be referenced twice, or be part of a cycle. */
  readonly #shared = new Set<object>();

  readonly #appExceptions: boolean;

  constructor(input: ByteCursor, appExceptions: boolean) {
    this.#input = input;
    this.#appExceptions = appExceptions;
  }

  /** Objects that may be referenced more than once (see #shared). */
  get shared(): ReadonlySet<object> {
    return this.#shared;
  }

  load(): unknown {
    // Every opcode consumes at least one byte, so this loop ends within the input.
    for (;;) {
      const at = this.#input.offset;
      if (this.#input.remaining === 0) throw malformed('the pickle ends before its STOP opcode');
      const opcode = this.#input.byte();
      if (opcode === 0x2e /* STOP */) {
        if (this.#marks.length > 0 || this.#stack.length !== 1) throw malformed('STOP with an unbalanced stack');
        return this.#stack[0];
      }
      this.#step(opcode, at);
    }
  }

  #push(value: unknown): void {
    this.#stack.push(value);
  }

  #pop(): unknown {
    if (this.#stack.length === 0) throw malformed('an opcode pops an empty stack');
    return this.#stack.pop();
  }

  #top(): unknown {
    if (this.#stack.length === 0) throw malformed('an opcode needs a value on an empty stack');
    return this.#stack[this.#stack.length - 1];
  }

  /** The items pushed since the last MARK, which is removed. */
  #popMark(): unknown[] {
    const items = this.#stack;
    const outer = this.#marks.pop();
    if (!outer) throw malformed('an opcode needs a MARK that is not there');
    this.#stack = outer;
    return items;
  }

  /** The top `count` values, oldest first. */
  #popMany(count: number): unknown[] {
    if (this.#stack.length < count) throw malformed('an opcode pops an empty stack');
    return this.#stack.splice(this.#stack.length - count, count);
  }

  #memoGet(index: number): unknown {
    const value = this.#memo[index];
    if (value === undefined) throw malformed(`memo entry ${index} is read before it is written`);
    return this.#markShared(value);
  }

  /** A second reference to `value` (DUP, memo GET): it converts once, so sharing and cycles stay linear. */
  #markShared(value: unknown): unknown {
    if (typeof value === 'object' && value !== null) this.#shared.add(value);
    return value;
  }

  #memoPut(index: number): void {
    if (index < 0) throw malformed('a negative memo index');
    if (this.#memo[index] === undefined) this.#memoCount++;
    this.#memo[index] = this.#top();
  }

  #step(opcode: number, at: number): void {
    const value = this.#valueOf(opcode);
    if (value !== NOT_A_VALUE) this.#push(value);
    else this.#mutate(opcode, at);
  }

  /** Opcodes that push one value; NOT_A_VALUE for the others. */
  #valueOf(opcode: number): unknown {
    const input = this.#input;
    switch (opcode) {
      case 0x4e /* NONE */:
        return null;
      case 0x88 /* NEWTRUE */:
        return true;
      case 0x89 /* NEWFALSE */:
        return false;
      case 0x4b /* BININT1 */:
        return input.byte();
      case 0x4d /* BININT2 */:
        return input.uint16();
      case 0x4a /* BININT */:
        return input.int32();
      case 0x8a /* LONG1 */:
        return littleEndianInteger(input.take(input.byte()));
      case 0x8b /* LONG4 */:
        return littleEndianInteger(input.take(signedLength(input.int32(), 'LONG4')));
      case 0x47 /* BINFLOAT */:
        return input.float64BigEndian();
      case 0x49 /* INT */:
        return textInteger(input.line(), true);
      case 0x4c /* LONG */:
        return textInteger(input.line().replace(/L$/, ''), false);
      case 0x46 /* FLOAT */:
        return textFloat(input.line());

      case 0x8c /* SHORT_BINUNICODE */:
        return input.utf8(input.byte());
      case 0x58 /* BINUNICODE */:
        return input.utf8(input.uint32());
      case 0x8d /* BINUNICODE8 */:
        return input.utf8(input.uint64());
      case 0x56 /* UNICODE */:
        return rawUnicodeEscape(input.line());
      case 0x55 /* SHORT_BINSTRING: a Python 2 str, read as ASCII like Python 3 does */:
        return asciiText(input.take(input.byte()));
      case 0x54 /* BINSTRING */:
        return asciiText(input.take(signedLength(input.int32(), 'BINSTRING')));
      case 0x53 /* STRING */:
        return quotedString(input.line());
      case 0x43 /* SHORT_BINBYTES */:
        return input.take(input.byte());
      case 0x42 /* BINBYTES */:
        return input.take(input.uint32());
      case 0x8e /* BINBYTES8 */:
      case 0x96 /* BYTEARRAY8 */:
        return input.take(input.uint64());

      case 0x29 /* EMPTY_TUPLE */:
        return new PyTuple([]);
      case 0x85 /* TUPLE1 */:
        return new PyTuple(this.#popMany(1));
      case 0x86 /* TUPLE2 */:
        return new PyTuple(this.#popMany(2));
      case 0x87 /* TUPLE3 */:
        return new PyTuple(this.#popMany(3));
      case 0x74 /* TUPLE */:
        return new PyTuple(this.#popMark());
      case 0x5d /* EMPTY_LIST */:
        return new PyList();
      case 0x6c /* LIST */:
        return new PyList(this.#popMark());
      case 0x7d /* EMPTY_DICT */:
        return new PyDict();
      case 0x64 /* DICT */:
        return addPairs(new PyDict(), this.#popMark());
      case 0x8f /* EMPTY_SET */:
        return new PySet([], false);
      case 0x91 /* FROZENSET */:
        return new PySet(this.#popMark(), true);
      case 0x32 /* DUP */:
        return this.#markShared(this.#top());

      case 0x67 /* GET */:
        return this.#memoGet(textIndex(input.line()));
      case 0x68 /* BINGET */:
        return this.#memoGet(input.byte());
      case 0x6a /* LONG_BINGET */:
        return this.#memoGet(input.uint32());

      case 0x63 /* GLOBAL */:
        {
          const module = input.line();
          return resolveGlobal(module, input.line(), this.#appExceptions);
        }
      case 0x93 /* STACK_GLOBAL */:
        {
          const [module, name] = this.#popMany(2);
          if (typeof module !== 'string' || typeof name !== 'string') throw malformed('STACK_GLOBAL without str names');
          return resolveGlobal(module, name, this.#appExceptions);
        }
      case 0x52 /* REDUCE */:
        {
          const [callable, args] = this.#popMany(2);
          return reduce(callable, args);
        }
      case 0x81 /* NEWOBJ */:
        {
          const [cls, args] = this.#popMany(2);
          return newObject(cls, args);
        }
      case 0x92 /* NEWOBJ_EX */:
        {
          const [cls, args, keywords] = this.#popMany(3);
          if (!(keywords instanceof PyDict) || keywords.entries.length > 0) {
            throw malformed('NEWOBJ_EX with keyword arguments');
          }
          return newObject(cls, args);
        }
      case 0x69 /* INST */:
        {
          const module = input.line();
          const cls = resolveGlobal(module, input.line(), this.#appExceptions);
          return reduce(cls, new PyTuple(this.#popMark()));
        }
      case 0x6f /* OBJ */:
        {
          const [cls, ...args] = this.#popMark();
          return reduce(cls, new PyTuple(args));
        }
      default:
        return NOT_A_VALUE;
    }
  }

  /** Opcodes that change the stack, the memo or a container without pushing a value. */
  #mutate(opcode: number, at: number): void {
    const input = this.#input;
    switch (opcode) {
      case 0x80 /* PROTO */:
        {
          const protocol = input.byte();
          if (protocol > 5) throw malformed(`pickle protocol ${protocol} is newer than 5`);
          break;
        }
      case 0x95 /* FRAME: a length hint; opcodes are read the same inside or outside frames */:
        if (input.uint64() > input.remaining) throw malformed('a FRAME longer than the rest of the pickle');
        break;
      case 0x28 /* MARK */:
        this.#marks.push(this.#stack);
        this.#stack = [];
        break;
      case 0x30 /* POP */:
        if (this.#stack.length > 0) this.#pop();
        else this.#popMark();
        break;
      case 0x31 /* POP_MARK */:
        this.#popMark();
        break;

      case 0x61 /* APPEND */:
        {
          const item = this.#pop();
          this.#listOnTop('APPEND').items.push(item);
          break;
        }
      case 0x65 /* APPENDS */:
        {
          const items = this.#popMark();
          const list = this.#listOnTop('APPENDS');
          for (const item of items) list.items.push(item);
          break;
        }
      case 0x73 /* SETITEM */:
        {
          const [key, item] = this.#popMany(2);
          this.#dictOnTop('SETITEM').entries.push([key, item]);
          break;
        }
      case 0x75 /* SETITEMS */:
        {
          const items = this.#popMark();
          addPairs(this.#dictOnTop('SETITEMS'), items);
          break;
        }
      case 0x90 /* ADDITEMS */:
        {
          const items = this.#popMark();
          const set = this.#top();
          if (!(set instanceof PySet) || set.frozen) throw malformed(`ADDITEMS on a ${describe(set)}`);
          for (const item of items) set.items.push(item);
          break;
        }
      case 0x62 /* BUILD */:
        {
          const state = this.#pop();
          build(this.#top(), state);
          break;
        }

      case 0x70 /* PUT */:
        this.#memoPut(textIndex(input.line()));
        break;
      case 0x71 /* BINPUT */:
        this.#memoPut(input.byte());
        break;
      case 0x72 /* LONG_BINPUT */:
        this.#memoPut(input.uint32());
        break;
      case 0x94 /* MEMOIZE */:
        this.#memoPut(this.#memoCount);
        break;
      default:
        throw malformed(
          `opcode 0x${opcode.toString(16).padStart(2, '0')} at byte ${at} is not one this reader accepts`,
        );
    }
  }

  #listOnTop(opcode: string): PyList {
    const list = this.#top();
    if (list instanceof PyList) return list;
    throw malformed(`${opcode} on a ${describe(list)}`);
  }

  #dictOnTop(opcode: string): PyDict {
    const dict = this.#top();
    if (dict instanceof PyDict) return dict;
    throw malformed(`${opcode} on a ${describe(dict)}`);
  }
}

/** Marks opcodes that do not push a value. */
const NOT_A_VALUE = Symbol('not a value');

function addPairs(dict: PyDict, items: readonly unknown[]): PyDict {
  if (items.length % 2 !== 0) throw malformed('a dict built from an odd number of items');
  for (let i = 0; i < items.length; i += 2) dict.entries.push([items[i], items[i + 1]]);
  return dict;
}

function signedLength(length: number, opcode: string): number {
  if (length < 0) throw malformed(`${opcode} with a negative length`);
  return length;
}

/** Protocol 0 INT/LONG text; INT's `00`/`01` are False/True. */
function textInteger(text: string, booleans: boolean): number | bigint | boolean {
  if (booleans && text === '00') return false;
  if (booleans && text === '01') return true;
  // Python 3.11 itself refuses integer text over 4300 digits; the cap also keeps BigInt parsing cheap.
  if (!/^[-+]?[0-9]{1,4300}$/.test(text)) throw malformed(`integer text ${JSON.stringify(text.slice(0, 40))}`);
  return narrowInteger(BigInt(text));
}

function textIndex(text: string): number {
  const index = textInteger(text, false);
  if (typeof index !== 'number') throw malformed('a memo index out of range');
  return index;
}

function textFloat(text: string): number {
  const special = new Map(Object.entries({ inf: Infinity, '-inf': -Infinity, nan: Number.NaN }));
  const named = special.get(text.toLowerCase());
  if (named !== undefined) return named;
  if (!/^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[-+]?[0-9]+)?$/i.test(text)) {
    throw malformed(`float text ${JSON.stringify(text.slice(0, 40))}`);
  }
  return Number(text);
}

function asciiText(bytes: Uint8Array): string {
  if (bytes.some((byte) => byte > 0x7f)) throw malformed('a Python 2 str that is not ASCII');
  return latin1Text(bytes);
}

/** Protocol 0 UNICODE: latin-1 text where `\uXXXX` and `\UXXXXXXXX` stand for other characters. */
function rawUnicodeEscape(text: string): string {
  return text.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_match, short: string, long: string) => {
    const code = Number.parseInt(short ?? long, 16);
    if (code > 0x10ffff) throw malformed('a \\U escape beyond U+10FFFF');
    return String.fromCodePoint(code);
  });
}

const SIMPLE_ESCAPES = new Map(
  Object.entries({
    '\\': '\\',
    "'": "'",
    '"': '"',
    n: '\n',
    r: '\r',
    t: '\t',
    a: '\x07',
    b: '\b',
    f: '\f',
    v: '\v',
  }),
);

/** Protocol 0 STRING: a quoted Python 2 str literal with backslash escapes, read as ASCII. */
function quotedString(text: string): string {
  const quote = text[0];
  if (text.length < 2 || (quote !== "'" && quote !== '"') || text[text.length - 1] !== quote) {
    throw malformed('STRING without matching quotes');
  }
  const body = text.slice(1, -1);
  const decoded = body.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/g, (_match, sequence: string) => {
    if (sequence[0] === 'x') return String.fromCharCode(Number.parseInt(sequence.slice(1), 16));
    if (/^[0-7]/.test(sequence)) return String.fromCharCode(Number.parseInt(sequence, 8) & 0xff);
    return SIMPLE_ESCAPES.get(sequence) ?? `\\${sequence}`;
  });
  if (/[\u0080-\uffff]/.test(decoded)) throw malformed('a Python 2 str that is not ASCII');
  return decoded;
}
