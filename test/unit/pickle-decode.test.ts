import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DBOSSerializationError } from '../../src/errors.ts';
import { decodePickle, decodePickleBytes, type PythonErrorDescription } from '../../src/pickle/decode.ts';
import { fixtureScript, runPythonJsonLines } from '../helpers/python.ts';

interface Fixture {
  name: string;
  protocol: number;
  b64: string;
  pyName?: string;
  pyStr?: string;
  pyLoadFails?: boolean;
}

const DBOS_RUNTIME = '/work/shared/vendor/dbos-py-2.30.0-runtime.tar.gz';
let fixtures: Fixture[] = [];
let workDir = '';

/**
 * Pickles made by the real interpreter (test/fixtures/pickles.py). The DBOS error cases import the real
 * `dbos/_error.py` of the vendored DBOS 2.30 runtime, beside an empty `dbos/__init__.py` (the real one imports the
 * whole SDK, which these pickles do not need): the bytes are identical to what a DBOS app writes, because pickle
 * records only the class's module and name and what its reduce returns, all of which come from `_error.py`.
 */
beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'dbos-edge-pickle-'));
  const untar = spawnSync('tar', ['xzf', DBOS_RUNTIME, '-C', workDir, 'dbos-py/src/dbos/_error.py'], {
    encoding: 'utf8',
  });
  if (untar.status !== 0) throw new Error(`cannot unpack dbos/_error.py from ${DBOS_RUNTIME}: ${untar.stderr}`);
  writeFileSync(join(workDir, 'dbos-py/src/dbos/__init__.py'), '');
  fixtures = runPythonJsonLines(fixtureScript('pickles.py'), ['--dbos'], {
    env: { PYTHONPATH: join(workDir, 'dbos-py/src') },
  }) as unknown as Fixture[];
});

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

function casesNamed(name: string): Fixture[] {
  const found = fixtures.filter((fixture) => fixture.name === name);
  if (found.length === 0) throw new Error(`no fixture named ${name}`);
  return found;
}

const utc = (iso: string) => new Date(iso);

/** What each fixture of pickles.py decodes to, at every protocol it is written with. */
const EXPECTED: Record<string, unknown> = {
  none: null,
  true: true,
  false: false,
  ints: [0, 255, 256, 65535, 65536, -1, -256, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 53 - 1, -(2 ** 53 - 1)],
  big_ints: [2n ** 53n, -(2n ** 53n), -(2n ** 63n), 2n ** 200n],
  floats: [1.5, -0, 1e300, -2.5e-300, 3],
  float_specials: [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN],
  strings: ['', 'ascii', 'héllo wörld ✓ 𝄞', 'x'.repeat(300), 'line\nbreak\\back\x00nul'],
  bytes: [new Uint8Array(), Uint8Array.of(0, 255, 97, 98), Uint8Array.from({ length: 512 }, (_, i) => i % 256)],
  bytearray: Uint8Array.of(120, 121, 0),
  tuples: [[], [1], [1, 2], [1, 2, 3], [1, 2, 3, 4]],
  nested: { a: [1, { b: [null, true] }], c: {} },
  dict_int_keys: new Map<unknown, unknown>([
    [1, 'a'],
    ['b', 2],
  ]),
  dict_tuple_key: new Map([[[1, 2], 'x']]),
  sets: [new Set([1, 2, 3]), new Set(['a']), new Set()],
  datetime_naive: utc('2024-01-02T03:04:05.123Z'),
  datetime_utc: utc('2024-01-02T03:04:05.000Z'),
  datetime_plus_0530: utc('2024-01-01T21:34:05.000Z'),
  datetime_minus_8: utc('2024-01-01T04:00:00.000Z'),
  datetime_extremes: [utc('0001-01-01T00:00:00.000Z'), utc('9999-12-31T23:59:59.999Z')],
  datetime_fold: utc('2024-11-03T01:30:00.000Z'),
  datetime_zoneinfo: [
    utc('2024-07-01T10:00:00.000Z'),
    utc('2024-11-03T05:30:00.000Z'),
    utc('2024-03-10T07:30:00.000Z'),
    utc('2023-12-31T18:30:00.000Z'),
    utc('2024-01-01T00:00:00.999Z'),
  ],
  // PEP 495 `fold=1`: the second 01:30 of a repeated hour; a skipped 02:30 read with the offset after the gap.
  datetime_zoneinfo_fold: [utc('2024-11-03T06:30:00.000Z'), utc('2024-03-10T06:30:00.000Z')],
  zoneinfo: ['Europe/Paris', '01:02:00'],
  dates: ['2024-02-29', '0005-01-01'],
  times: ['13:14:15', '01:02:03.000004', '01:02:03-03:00'],
  timedeltas: [
    { days: 1, seconds: 2, microseconds: 3 },
    { days: -1, seconds: 86399, microseconds: 0 },
    { days: 0, seconds: 0, microseconds: 0 },
  ],
  timezones: ['+00:00', '+05:30', '-02:00:05'],
  decimals: ['1.50', '-1E+3', 'NaN', '123456789012345678901234567890.000001'],
  uuids: [
    '12345678-1234-5678-1234-567812345678',
    '00000000-0000-0000-0000-000000000000',
    '00000000-0000-0000-0000-000000000005',
  ],
  ordered_dict: { b: 1, a: 2 },
  defaultdict: { a: [1] },
  defaultdict_int_keys: new Map([[3, 4]]),
  workflow_inputs: { args: [1, 'x'], kwargs: { k: true } },
};

describe('pickles made by CPython 3.11, protocols 0 to 5', () => {
  it('covers protocols 2 to 5 for every case', () => {
    for (const name of Object.keys(EXPECTED).filter((each) => each !== 'datetime_zoneinfo_fold')) {
      expect(casesNamed(name).map((fixture) => fixture.protocol)).toEqual(expect.arrayContaining([2, 3, 4, 5]));
    }
  });

  it.each(Object.entries(EXPECTED))('decodes %s exactly', (name, expected) => {
    for (const fixture of casesNamed(name)) {
      expect({ protocol: fixture.protocol, value: decodePickle(fixture.b64) }).toEqual({
        protocol: fixture.protocol,
        value: expected,
      });
    }
  });

  it('keeps dict key order, and -0 as -0', () => {
    for (const fixture of casesNamed('ordered_dict')) {
      expect(Object.keys(decodePickle(fixture.b64) as object)).toEqual(['b', 'a']);
    }
    for (const fixture of casesNamed('floats'))
      expect(Object.is((decodePickle(fixture.b64) as number[])[1], -0)).toBe(true);
  });

  it('keeps shared references shared and cycles cyclic', () => {
    for (const fixture of casesNamed('shared')) {
      const [first, second] = decodePickle(fixture.b64) as unknown[][];
      expect(first).toEqual([1]);
      expect(first).toBe(second);
    }
    for (const fixture of casesNamed('cyclic')) {
      const list = decodePickle(fixture.b64) as unknown[];
      expect(list).toHaveLength(1);
      expect(list[0]).toBe(list);
    }
  });

  it.each([
    ['unsupported_class', '__main__.Point'],
    ['unsupported_complex', 'builtins.complex'],
  ])('refuses %s with an error naming the Python class', (name, pythonClass) => {
    for (const fixture of casesNamed(name)) {
      const error = catchError(() => decodePickle(fixture.b64));
      expect(error).toBeInstanceOf(DBOSSerializationError);
      expect(error.message).toContain(pythonClass);
    }
  });
});

describe('Python exceptions', () => {
  const exceptionCases = () =>
    fixtures.filter((fixture) => fixture.pyStr !== undefined && !fixture.name.startsWith('app_exc_'));

  it('gives every builtin and DBOS exception the name and str() that Python itself reads back', () => {
    const names = new Set(exceptionCases().map((fixture) => fixture.name));
    expect(names.size).toBeGreaterThanOrEqual(18);
    for (const fixture of exceptionCases()) {
      const decoded = decodePickle(fixture.b64) as PythonErrorDescription;
      expect({ case: fixture.name, protocol: fixture.protocol, name: decoded.name, message: decoded.message }).toEqual({
        case: fixture.name,
        protocol: fixture.protocol,
        name: fixture.pyName,
        message: fixture.pyStr,
      });
    }
  });

  it("reads an app's own exception only as a stored error, with the name and str() Python reads back", () => {
    for (const name of ['app_exc_payment', 'app_exc_two_args']) {
      for (const fixture of casesNamed(name)) {
        expect(catchError(() => decodePickle(fixture.b64))).toBeInstanceOf(DBOSSerializationError);
        const decoded = decodePickle(fixture.b64, { appExceptions: true }) as PythonErrorDescription;
        expect({ name: decoded.name, message: decoded.message }).toEqual({
          name: fixture.pyName,
          message: fixture.pyStr,
        });
      }
    }
    const [payment] = casesNamed('app_exc_payment').filter((each) => each.protocol === 4);
    expect(decodePickle(payment?.b64 ?? '', { appExceptions: true })).toEqual({
      name: 'PaymentError',
      message: 'card expired',
      code: 'E_PAY',
      pythonClass: '__main__.PaymentError',
      args: ['card expired'],
      attributes: { code: 'E_PAY' },
    });
    // The exception's own class is let through, not an app object it holds.
    for (const fixture of casesNamed('app_exc_holding_object')) {
      const error = catchError(() => decodePickle(fixture.b64, { appExceptions: true }));
      expect(error).toBeInstanceOf(DBOSSerializationError);
      expect(error.message).toContain('__main__.Point');
    }
  });

  it('reads DBOS errors that Python itself cannot unpickle (their __init__ takes other arguments)', () => {
    const [fixture] = casesNamed('dbos_non_existent').filter((each) => each.protocol === 4);
    expect(fixture?.pyLoadFails).toBe(true);
    expect(decodePickle(fixture?.b64 ?? '')).toMatchObject({
      name: 'DBOSNonExistentWorkflowError',
      message: 'DBOS Error 5: Non-existent target workflow ID: w1',
      pythonClass: 'dbos._error.DBOSNonExistentWorkflowError',
      attributes: { message: 'Non-existent target workflow ID: w1', dbos_error_code: 5, status_code: null },
    });
  });

  it('describes class, args, attributes, code and data', () => {
    const at4 = (name: string) => decodePickle(casesNamed(name).find((each) => each.protocol === 4)?.b64 ?? '');
    expect(at4('exc_value')).toEqual({
      name: 'ValueError',
      message: 'bad value',
      code: null,
      pythonClass: 'builtins.ValueError',
      args: ['bad value'],
      attributes: {},
    });
    expect(at4('exc_file_not_found')).toMatchObject({ code: 2, args: [2, 'No such file', 'f.txt'] });
    expect(at4('exc_with_data')).toMatchObject({ data: { k: 1 }, attributes: { data: { k: 1 } } });
    expect(at4('dbos_not_authorized')).toMatchObject({ code: 403, attributes: { msg: 'nope', dbos_error_code: 8 } });
    expect(at4('dbos_awaited_cancelled')).toMatchObject({
      name: 'DBOSAwaitedWorkflowCancelledError',
      code: null,
      args: ['w1'],
      attributes: { workflow_id: 'w1', dbos_error_code: 13 },
    });
    expect(at4('dbos_max_step_retries')).toMatchObject({
      args: ['stepA', 3, [{ name: 'ValueError', message: 'x', pythonClass: 'builtins.ValueError' }]],
    });
    expect(at4('exc_in_list')).toEqual([expect.objectContaining({ name: 'ValueError', message: 'inner' }), 1]);
  });
});

function catchError(run: () => unknown): Error {
  try {
    run();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

/** A pickle body (after PROTO 4) assembled from bytes and latin-1 strings. */
function pickle(...parts: (number | string)[]): Uint8Array {
  const bytes: number[] = [0x80, 4];
  for (const part of parts) {
    if (typeof part === 'number') bytes.push(part);
    else for (const char of part) bytes.push(char.charCodeAt(0));
  }
  return Uint8Array.from(bytes);
}

/** Decoding either gives a value or a DBOSSerializationError: never another error, never a hang. */
function decodesOrRefuses(bytes: Uint8Array): void {
  try {
    decodePickleBytes(bytes);
  } catch (e) {
    if (!(e instanceof DBOSSerializationError)) throw e;
  }
}

function refuses(bytes: Uint8Array, message: RegExp): void {
  const error = catchError(() => decodePickleBytes(bytes));
  expect(error).toBeInstanceOf(DBOSSerializationError);
  expect(error.message).toMatch(message);
}

describe('hostile and malformed input', () => {
  it('never calls what a pickle names: os.system, eval and getattr are refused by name', () => {
    refuses(pickle('cos\nsystem\n', 0x8c, 2, 'ls', 0x85, 'R.'), /os\.system/);
    refuses(pickle('cposix\nsystem\n', 0x8c, 2, 'ls', 0x85, 'R.'), /posix\.system/);
    refuses(pickle(0x8c, 8, 'builtins', 0x8c, 4, 'eval', 0x93, '.'), /builtins\.eval/);
    refuses(pickle('c__builtin__\ngetattr\n.'), /builtins\.getattr/);
    // getattr serves only ZoneInfo._unpickle; a zone must be one the runtime knows.
    refuses(
      pickle('cbuiltins\ngetattr\ncbuiltins\ndict\n', 0x8c, 8, 'fromkeys', 0x86, 'R.'),
      /builtins\.dict\.fromkeys/,
    );
    refuses(
      pickle('czoneinfo\nZoneInfo._unpickle\n', 0x8c, 9, 'Not/AZone', 'K', 1, 0x86, 'R.'),
      /time zone Not\/AZone/,
    );
    // An allowed reference used as a function is refused too.
    refuses(pickle('c__builtin__\nlist\n)R.'), /builtins\.list/);
  });

  it('never lets a name reach Object.prototype', () => {
    const prototypeNames = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];
    for (const name of prototypeNames) {
      refuses(pickle(`cdbos._error\n${name}\n)R.`), new RegExp(`dbos\\._error\\.${name}`));
      refuses(pickle(`c${name}\n${name}\n.`), new RegExp(`${name}\\.${name}`));
      refuses(pickle(`F${name}\n.`), /float text/);
    }
    fc.assert(
      fc.property(
        fc.constantFrom(...prototypeNames, 'builtins', 'dbos._error', 'datetime'),
        fc.string(),
        (module, name) => {
          decodesOrRefuses(pickle(`c${module}\n${name.replaceAll('\n', '')}\n)R.`));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses text that is not base64, and opcodes it does not accept', () => {
    expect(() => decodePickle('not base64!')).toThrow(DBOSSerializationError);
    refuses(pickle('P1\n.'), /opcode 0x50/); // PERSID
    refuses(pickle(0x82, 1, '.'), /opcode 0x82/); // EXT1
    refuses(pickle(0x97, '.'), /opcode 0x97/); // NEXT_BUFFER
    refuses(Uint8Array.of(0x80, 6, 0x4e, 0x2e), /protocol 6/);
  });

  it('refuses every truncation of every real pickle', () => {
    for (const fixture of fixtures.filter((each) => each.protocol >= 2)) {
      const bytes = Buffer.from(fixture.b64, 'base64');
      for (let end = 0; end < bytes.length; end++) {
        expect(() => decodePickleBytes(bytes.subarray(0, end))).toThrow(DBOSSerializationError);
      }
    }
  });

  it('checks declared lengths against the input before allocating', () => {
    const huge8 = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f];
    refuses(pickle(0x8d, ...huge8, 'a.'), /past the end/); // BINUNICODE8
    refuses(pickle(0x8e, ...huge8, '.'), /past the end/); // BINBYTES8
    refuses(pickle(0x96, ...huge8, '.'), /past the end/); // BYTEARRAY8
    refuses(pickle(0x58, 0xff, 0xff, 0xff, 0xff, 'a.'), /past the end/); // BINUNICODE
    refuses(pickle(0x8b, 0xff, 0xff, 0xff, 0x7f, 1, '.'), /past the end/); // LONG4
    refuses(pickle(0x8b, 0xff, 0xff, 0xff, 0xff, '.'), /negative length/);
    refuses(pickle(0x95, ...huge8, 'N.'), /FRAME/);
    refuses(pickle('I', '9'.repeat(5000), '\n.'), /integer text/);
  });

  it('refuses nesting deeper than 1000 levels (CPython 3.11 pickles about 500), and reads 900', () => {
    const nested = (depth: number) => pickle(']'.repeat(depth), 'a'.repeat(depth - 1), '.');
    refuses(nested(100_000), /deeper than 1000/);
    let value = decodePickleBytes(nested(900)) as unknown[];
    for (let level = 1; level < 900; level++) value = value[0] as unknown[];
    expect(value).toEqual([]);
  });

  it('keeps shared structure linear: 2^60 logical nodes decode at once, and an error message stays short', () => {
    // x = []; then 60 times x = [x, x], each level memoized, popped, and fetched twice by the next.
    const doubling: (number | string)[] = [']', 0x94, '0'];
    for (let level = 0; level < 60; level++)
      doubling.push('(', 0x6a, level, 0, 0, 0, 0x6a, level, 0, 0, 0, 'l', 0x94, '0');
    const top = [0x6a, 60, 0, 0, 0];
    let value = decodePickleBytes(pickle(...doubling, ...top, '.')) as unknown[];
    for (let level = 0; level < 60; level++) {
      expect(value[0]).toBe(value[1]);
      value = value[0] as unknown[];
    }
    expect(value).toEqual([]);
    // The same through DUP, without the memo: x = (x, x) sixty times over an empty list.
    let tuple = decodePickleBytes(
      pickle(']', ...Array.from({ length: 60 }, () => [0x32, 0x86]).flat(), '.'),
    ) as unknown[];
    for (let level = 0; level < 60; level++) {
      expect(tuple[0]).toBe(tuple[1]);
      tuple = tuple[0] as unknown[];
    }
    // A list that holds itself through DUP (EMPTY_LIST, DUP, APPEND) is a cycle too.
    const selfish = decodePickleBytes(pickle(']2a.')) as unknown[];
    expect(selfish[0]).toBe(selfish);
    const error = decodePickleBytes(pickle(...doubling, 'cbuiltins\nValueError\n', ...top, 0x32, 0x86, 'R.'));
    expect((error as PythonErrorDescription).message.length).toBeLessThan(2100);
  });

  it('gives random bytes a value or a DBOSSerializationError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => decodesOrRefuses(bytes)),
      { numRuns: 3000 },
    );
  });

  it('gives mutated real pickles a value or a DBOSSerializationError', () => {
    const reals = fixtures.map((fixture) => Buffer.from(fixture.b64, 'base64'));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: reals.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        (which, edits) => {
          const bytes = Uint8Array.from(reals[which] as Buffer);
          for (const [at, byte] of edits) bytes[at % bytes.length] = byte;
          decodesOrRefuses(bytes);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('gives random opcode streams a value or a DBOSSerializationError', () => {
    const tokens = [
      ...[']', '}', ')', '(', 'a', 'e', 's', 'u', 't', 'l', 'd', 'N', '0', '1', '2', 'R', 'b', 0x81, 0x85, 0x86, 0x87],
      ...[
        0x88,
        0x8f,
        0x90,
        0x91,
        0x93,
        0x94,
        'K\x01',
        'M\x01\x02',
        'h\x00',
        'h\x01',
        'G\x7f\xf0\x00\x00\x00\x00\x00\x00',
      ],
      ...[
        '\x8c\x01a',
        '\x8c\x08builtins',
        '\x8c\x03set',
        '\x8c\x0aValueError',
        '\x8c\x08datetime',
        '\x8c\x09timedelta',
      ],
      ...['\x8a\x01\xff', 'C\x02ab', 'cuuid\nUUID\n', 'ccollections\nOrderedDict\n', 'cbuiltins\nKeyError\n'],
    ].map((token) => (typeof token === 'number' ? String.fromCharCode(token) : token));
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...tokens), { maxLength: 60 }), (stream) => {
        decodesOrRefuses(pickle(...stream, '.'));
      }),
      { numRuns: 5000 },
    );
  });
});
