import { createRequire } from 'node:module';
import superjson from 'superjson';
import { describe, expect, it } from 'vitest';
import { DBOSSerializationError, DBOSWorkflowError, ValidationError } from '../../src/errors.ts';
import { decodeError } from '../../src/reader.ts';
import { Codec, NATIVE, PORTABLE, type Serializer } from '../../src/serialization.ts';

const codec = new Codec();

/** The SDK's own serializers (not in its exports map, so loaded by path) to compare with byte for byte. */
const sdk = createRequire(import.meta.url)('../../node_modules/@dbos-inc/dbos-sdk/dist/src/serialization.js') as {
  DBOSJSON: { stringify(v: unknown): string; parse(t: string): unknown };
  DBOSPortableJSON: { stringify(v: unknown): string };
};
const samples: unknown[] = [
  [1, 'a'],
  [new Date('2026-08-21T10:00:00.000Z'), null],
  { nested: { list: [1, 2, { deep: 'ü✓' }] }, n: null, b: true },
  undefined,
  'plain',
  [new Map([['k', new Set([1])]]), 12345678901234567890n],
];

describe('portable_json', () => {
  it('writes inputs as positionalArgs, with namedArgs only when given', async () => {
    expect(await codec.encodeArgs([1, 'a'], undefined, PORTABLE)).toBe('{"positionalArgs":[1,"a"]}');
    expect(await codec.encodeArgs([1], { to: 'x' }, PORTABLE)).toBe('{"positionalArgs":[1],"namedArgs":{"to":"x"}}');
  });

  it('maps values as both SDKs do: Date to ISO, bigint to string, Map to object, Set to array', async () => {
    const text = await codec.encode(
      { d: new Date('2026-01-02T03:04:05.678Z'), n: 10n ** 20n, m: new Map([['k', 1]]), s: new Set([1, 2]) },
      PORTABLE,
      'value',
    );
    expect(JSON.parse(text)).toEqual({
      d: '2026-01-02T03:04:05.678Z',
      n: '100000000000000000000',
      m: { k: 1 },
      s: [1, 2],
    });
  });

  it('refuses what has no JSON form, naming the argument', async () => {
    const err = await codec.encodeArgs([1, () => 2], undefined, PORTABLE).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.issues[0]).toMatchObject({ field: 'args[1]', rule: 'serializable' });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const err2 = await codec.encodeArgs([cyclic], undefined, PORTABLE).catch((e) => e);
    expect(err2.issues[0]).toMatchObject({ field: 'args[0]', rule: 'serializable' });
  });

  it.each(samples.filter((v) => typeof v !== 'bigint').map((v) => [v]))(
    'writes %s as the TS SDK portable serializer does',
    async (value) => {
      expect(await codec.encode(value, PORTABLE, 'v')).toBe(sdk.DBOSPortableJSON.stringify(value));
    },
  );

  it('reads portable inputs back to the positional list, and the named arguments when there are some', async () => {
    expect(await codec.decodeInputs('{"namedArgs":{},"positionalArgs":[1,"a"]}', PORTABLE, 'x')).toEqual({
      args: [1, 'a'],
    });
    const named = await codec.encodeArgs([1], { qty: 2, note: 'x' }, PORTABLE);
    expect(await codec.decodeInputs(named, PORTABLE, 'x')).toEqual({ args: [1], namedArgs: { qty: 2, note: 'x' } });
  });

  it("reads a Python scheduler's unnamed JSON inputs back to the positional list", async () => {
    const text = '{"args":["2026-12-01T04:30:10.000Z",{"src":"py"}],"kwargs":{}}';
    expect(await codec.decodeInputs(text, null, 'x')).toEqual({ args: ['2026-12-01T04:30:10.000Z', { src: 'py' }] });
    expect(await codec.decodeInputs('{"args":[],"kwargs":{"at":1}}', null, 'x')).toEqual({
      args: [],
      namedArgs: { at: 1 },
    });
    // A positional list whose one argument looks like Python inputs is a list, not inputs.
    expect(await codec.decodeInputs('[{"args":[1],"kwargs":{}}]', null, 'x')).toEqual({
      args: [{ args: [1], kwargs: {} }],
    });
  });
});

describe('js_superjson (native)', () => {
  it.each(samples.map((v) => [v]))(
    "writes %s exactly as the TS SDK writes it, and reads the SDK's text",
    async (value) => {
      const ours = await codec.encode(value, NATIVE, 'v');
      expect(ours).toBe(sdk.DBOSJSON.stringify(value));
      expect(await codec.decode(sdk.DBOSJSON.stringify(value), NATIVE, 'v')).toEqual(sdk.DBOSJSON.parse(ours));
    },
  );

  it('round-trips Dates, Maps, bigints and undefined', async () => {
    const value = { at: new Date(0), m: new Map([[1, 'x']]), big: 7n, u: undefined };
    expect(await codec.decode(await codec.encode(value, NATIVE, 'v'), NATIVE, 'v')).toEqual(value);
  });

  it('refuses js_superjson text without the marker', async () => {
    await expect(codec.decode(JSON.stringify(superjson.serialize(1)), NATIVE, 'v')).rejects.toBeInstanceOf(
      DBOSSerializationError,
    );
  });

  it('refuses named arguments, which only portable JSON carries', async () => {
    await expect(codec.encodeArgs([], { a: 1 }, NATIVE)).rejects.toMatchObject({ issues: [{ rule: 'portable_only' }] });
  });
});

describe('other formats', () => {
  it('reads Python pickle, named or sniffed on a legacy row, and names the value it cannot read', async () => {
    // pickle.dumps(42) and pickle.dumps({'args': (1, 'x'), 'kwargs': {'k': True}}), protocol 4.
    expect(await codec.decode('gARLKi4=', 'py_pickle', 'the output of workflow w')).toBe(42);
    expect(await codec.decode('gARLKi4=', null, 'x')).toBe(42);
    const inputs = 'gASVJQAAAAAAAAB9lCiMBGFyZ3OUSwGMAXiUhpSMBmt3YXJnc5R9lIwBa5SIc3Uu';
    const decoded = { args: [1, 'x'], namedArgs: { k: true } };
    expect(await codec.decodeInputs(inputs, 'py_pickle', 'the input of workflow w')).toEqual(decoded);
    expect(await codec.decodeInputs(inputs, null, 'the input of workflow w')).toEqual(decoded);
    // What dbos-edge pickles for a Python app reads back the same.
    const ours = await codec.encodeArgs([1, 'x'], { k: true }, 'py_pickle');
    expect(await codec.decodeInputs(ours, 'py_pickle', 'x')).toEqual(decoded);
    // pickle.dumps(Point(1)) of a class defined in the app's __main__.
    const point = 'gASVIwAAAAAAAACMCF9fbWFpbl9flIwFUG9pbnSUk5QpgZR9lIwBeJRLAXNiLg==';
    const err = (await codec.decode(point, 'py_pickle', 'the output of workflow w').catch((e) => e)) as Error;
    expect(err).toBeInstanceOf(DBOSSerializationError);
    expect(err.message).toMatch(/^the output of workflow w: .*__main__\.Point/);
  });

  it('rebuilds a pickled Python error as DBOSWorkflowError with its name and message', async () => {
    // pickle.dumps(DBOSAwaitedWorkflowCancelledError('w1')) by DBOS 2.30's own dbos._error class, protocol 4.
    const pickled =
      'gASVPgAAAAAAAACMC2Rib3MuX2Vycm9ylIwhREJPU0F3YWl0ZWRXb3JrZmxvd0NhbmNlbGxlZEVycm9ylJOUjAJ3MZSFlFKULg==';
    const error = await decodeError(codec, 'w', pickled, 'py_pickle', 'the error of workflow w');
    expect(error).toBeInstanceOf(DBOSWorkflowError);
    expect(error).toMatchObject({
      workflowID: 'w',
      name: 'DBOSAwaitedWorkflowCancelledError',
      message: 'DBOS Error 13: Awaited workflow w1 was cancelled',
      errorCode: null,
      data: undefined,
    });
  });

  it('reads legacy unnamed rows as superjson when marked, else as JSON', async () => {
    expect(await codec.decode(await codec.encode(new Date(5), NATIVE, 'v'), null, 'x')).toEqual(new Date(5));
    expect(await codec.decode('{"a":1}', null, 'x')).toEqual({ a: 1 });
  });

  it('uses a custom serializer by name, and names an unknown one', async () => {
    const rot: Serializer = {
      name: () => 'reversed_json',
      stringify: (v) => JSON.stringify(v).split('').reverse().join(''),
      parse: (t) => JSON.parse(t.split('').reverse().join('')),
    };
    const custom = new Codec(rot);
    expect(custom.defaultName).toBe('reversed_json');
    const text = await custom.encodeArgs([1, { b: 2 }], undefined, custom.defaultName);
    expect(text).toBe(
      JSON.stringify([1, { b: 2 }])
        .split('')
        .reverse()
        .join(''),
    );
    expect(await custom.decodeInputs(text, 'reversed_json', 'x')).toEqual({ args: [1, { b: 2 }] });
    await expect(codec.decode(text, 'reversed_json', 'x')).rejects.toThrow(/configure the client with a serializer/);
  });
});
