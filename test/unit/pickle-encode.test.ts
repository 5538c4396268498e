import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.ts';
import { decodePickle } from '../../src/pickle/decode.ts';
import { encodePickle } from '../../src/pickle/encode.ts';
import { fixtureScript, runPythonJsonLines } from '../helpers/python.ts';

/**
 * The value as test/fixtures/unpickle_check.py expects it: tagged JSON that says which numbers are ints and which
 * floats (exactly the encoder's rule, restated), bigints as ints, Dates as UTC datetimes.
 */
function tagged(value: unknown): unknown {
  if (typeof value === 'bigint') return { $int: value.toString() };
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && !Object.is(value, -0)) return value;
    return { $float: Object.is(value, -0) ? '-0.0' : String(value) };
  }
  if (value instanceof Date) return { $datetime: value.toISOString() };
  if (Array.isArray(value)) return value.map(tagged);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, tagged(item)]));
  }
  return value;
}

/** Has CPython 3.11 `pickle.loads` each encoding and compare it with the value, in value and in type. */
function pythonReads(values: readonly unknown[]): { ok: boolean; got?: string }[] {
  const input = values.map((value) => JSON.stringify({ b64: encodePickle(value), expected: tagged(value) })).join('\n');
  return runPythonJsonLines(fixtureScript('unpickle_check.py'), [], { input }) as { ok: boolean; got?: string }[];
}

const samples: unknown[] = [
  null,
  true,
  false,
  0,
  255,
  256,
  65535,
  65536,
  -1,
  2 ** 31 - 1,
  -(2 ** 31),
  2 ** 31,
  Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER,
  1.5,
  -0,
  1e300,
  2 ** 60,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  0n,
  2n ** 64n,
  -(2n ** 63n),
  -(2n ** 63n) - 1n,
  2n ** 2100n,
  -(2n ** 2100n),
  '',
  'héllo ✓ 𝄞',
  'x'.repeat(300),
  [],
  Array.from({ length: 2500 }, (_, i) => i),
  {},
  Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`k${i}`, i])),
  { b: 1, a: [1, 'two', { three: null }], '': true, __proto__x: 0 },
  new Date('2026-03-01T00:00:10.123Z'),
  new Date('0001-01-01T00:00:00.000Z'),
  new Date('9999-12-31T23:59:59.999Z'),
  { scheduledAt: new Date('2026-03-01T00:00:10Z'), tenant: 'acme', retries: 3, ratio: 0.25 },
];

describe('encodePickle: what a Python DBOS app reads', () => {
  it('is read back by CPython 3.11 pickle.loads as the same value and type', () => {
    const results = pythonReads(samples);
    expect(results).toHaveLength(samples.length);
    for (const [i, result] of results.entries()) expect({ sample: i, ...result }).toEqual({ sample: i, ok: true });
  });

  it('is read back by CPython for random JSON-like data', () => {
    const values = fc.sample(
      fc.jsonValue({ maxDepth: 4 }).map((value) => value as unknown),
      { numRuns: 300, seed: 12 },
    );
    const results = pythonReads(values);
    expect(results.filter((result) => !result.ok)).toEqual([]);
    expect(results).toHaveLength(values.length);
  });

  it('round-trips through the decoder', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(decodePickle(encodePickle(value))).toEqual(value);
      }),
      { numRuns: 500 },
    );
    const date = new Date('2026-03-01T00:00:10.123Z');
    expect(decodePickle(encodePickle({ at: date, big: 2n ** 70n }))).toEqual({ at: date, big: 2n ** 70n });
  });

  it('keeps a __proto__ key an own key, on both sides', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    const decoded = decodePickle(encodePickle(value)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.keys(decoded)).toEqual(['__proto__']);
    expect(pythonReads([value])).toEqual([{ ok: true }]);
  });
});

describe('encodePickle refuses what Python would not read as intended', () => {
  const cyclic: unknown[] = [];
  cyclic.push(cyclic);
  const deep = Array.from({ length: 1100 }).reduce<unknown>((inner) => [inner], []);
  it.each([
    ['undefined', { a: undefined }, 'context.a', 'pickleable'],
    ['a function', [() => 1], 'context[0]', 'pickleable'],
    ['a Map', { m: new Map() }, 'context.m', 'pickleable'],
    ['a Set', new Set([1]), 'context', 'pickleable'],
    ['a class instance', { at: new URL('https://example.com') }, 'context.at', 'pickleable'],
    ['a symbol', Symbol('s'), 'context', 'pickleable'],
    // biome-ignore lint/suspicious/noSparseArray: the hole is the case under test
    ['a sparse array', [1, , 3], 'context[1]', 'pickleable'],
    ['symbol keys', { [Symbol('k')]: 1 }, 'context', 'pickleable'],
    ['a cycle', cyclic, 'context[0]', 'acyclic'],
    ['deep nesting', deep, expect.stringMatching(/^context(\[0\])+$/), 'max_depth'],
    ['an invalid Date', new Date(Number.NaN), 'context', 'valid_date'],
    ['a Date before year 1', new Date('-000001-01-01T00:00:00Z'), 'context', 'datetime_range'],
    ['a lone surrogate', { s: 'a\uD800b' }, 'context.s', 'well_formed_string'],
  ])('refuses %s with a ValidationError naming the field and rule', (_what, value, field, rule) => {
    let error: unknown;
    try {
      encodePickle(value, 'context');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([{ field, rule, message: expect.any(String) }]);
  });
});
