/**
 * Python's `str()` and `repr()` of unpickled values, for exception messages: a Python error's message is `str(err)`,
 * which for several arguments is the repr of the args tuple. Output is capped, so a shared or deep structure
 * cannot make it large. Python ints and floats both arrive as JS numbers, so an integral float prints as an int.
 */
import { PyDict, PyException, PyList, PySet, PyTuple } from './model.ts';

const MAX_CHARS = 2000;

export function pythonStr(value: unknown): string {
  return typeof value === 'string' ? value : pythonRepr(value);
}

export function pythonRepr(value: unknown): string {
  const out = new ReprWriter();
  out.write(value);
  return out.text;
}

class ReprWriter {
  #parts: string[] = [];
  #length = 0;

  get text(): string {
    const joined = this.#parts.join('');
    return joined.length > MAX_CHARS ? `${joined.slice(0, MAX_CHARS)}…` : joined;
  }

  #emit(part: string): void {
    this.#parts.push(part);
    this.#length += part.length;
  }

  get #full(): boolean {
    return this.#length > MAX_CHARS;
  }

  write(value: unknown): void {
    if (this.#full) return;
    if (value === null || value === undefined) this.#emit('None');
    else if (typeof value === 'boolean') this.#emit(value ? 'True' : 'False');
    else if (typeof value === 'number') this.#emit(floatRepr(value));
    else if (typeof value === 'bigint') this.#emit(value.toString());
    else if (typeof value === 'string') this.#emit(stringRepr(value));
    else if (value instanceof Uint8Array)
      this.#emit(`b${stringRepr(String.fromCharCode(...value.subarray(0, MAX_CHARS)), true)}`);
    else if (value instanceof PyList) this.#sequence('[', value.items, ']');
    else if (value instanceof PyTuple) this.#sequence('(', value.items, value.items.length === 1 ? ',)' : ')');
    else if (value instanceof PySet)
      this.#sequence(value.frozen ? 'frozenset({' : '{', value.items, value.frozen ? '})' : '}');
    else if (value instanceof PyDict) this.#dict(value);
    else if (value instanceof PyException) {
      this.#emit(value.cls.name);
      this.#sequence('(', value.args, ')');
    } else this.#emit(`<${value.constructor?.name ?? 'object'}>`);
  }

  #sequence(open: string, items: readonly unknown[], close: string): void {
    this.#emit(open);
    for (const [i, item] of items.entries()) {
      if (this.#full) return;
      if (i > 0) this.#emit(', ');
      this.write(item);
    }
    this.#emit(close);
  }

  #dict(dict: PyDict): void {
    this.#emit('{');
    for (const [i, [key, item]] of dict.entries.entries()) {
      if (this.#full) return;
      if (i > 0) this.#emit(', ');
      this.write(key);
      this.#emit(': ');
      this.write(item);
    }
    this.#emit('}');
  }
}

/** Python's quoting: single quotes unless the text holds a single quote and no double quote; bytes escape non-ASCII. */
function stringRepr(text: string, bytes = false): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    if (char === '\\' || char === quote) out += `\\${char}`;
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f || (bytes && code > 0x7f)) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += char;
  }
  return out + quote;
}

/** Python's float repr: the shortest round-trip digits, positional for exponents in [-4, 16), else `1e+16`. */
function floatRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return Object.is(value, -0) ? '-0' : String(value);
  const [mantissa = '', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent >= -4 && exponent < 16) return String(value);
  const sign = exponent < 0 ? '-' : '+';
  return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
}
