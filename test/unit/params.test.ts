/**
 * The SQL parameter helpers as text: the placeholder binder, the Postgres array literal every driver sends
 * verbatim, the status list and the LIKE-prefix escape. (That Postgres reads the literals back intact is checked
 * against a real database in test/integration/client.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import type { SqlParam } from '../../src/driver.ts';
import {
  ACTIVE,
  binder,
  boolArray,
  intArray,
  likePrefix,
  RESUMABLE,
  statusList,
  textArray,
} from '../../src/sql/base.ts';

describe('binder', () => {
  it('pushes each value and returns its 1-based placeholder', () => {
    const params: SqlParam[] = [];
    const param = binder(params);
    expect([param('a'), param(2), param(true), param(null)]).toEqual(['$1', '$2', '$3', '$4']);
    expect(params).toEqual(['a', 2, true, null]);
  });

  it('binds the same value twice as two parameters', () => {
    const params: SqlParam[] = [];
    const param = binder(params);
    expect(`${param('x')} OR ${param('x')}`).toBe('$1 OR $2');
    expect(params).toEqual(['x', 'x']);
  });

  it('numbers on from the parameters a statement already has', () => {
    const params: SqlParam[] = ['first', 'second'];
    expect(binder(params)('third')).toBe('$3');
    expect(params).toEqual(['first', 'second', 'third']);
  });
});

describe('textArray', () => {
  it.each([
    ['no elements', [], '{}'],
    ['plain strings, each quoted', ['a', 'b c'], '{"a","b c"}'],
    ['the empty string', [''], '{""}'],
    ['SQL NULL as the bare word', [null, 'x', null], '{NULL,"x",NULL}'],
    ['the string NULL, quoted so it stays a string', ['NULL', 'null'], '{"NULL","null"}'],
    ['a double quote, backslash-escaped', ['say "hi"'], '{"say \\"hi\\""}'],
    ['a backslash, doubled', ['back\\slash'], '{"back\\\\slash"}'],
    ['a backslash before a quote, each escaped', ['\\"'], '{"\\\\\\""}'],
    ['braces, commas and spaces, left to the quotes', ['{a},b', ' x '], '{"{a},b"," x "}'],
    ['JSON text', ['{"k":[1,"v"]}'], '{"{\\"k\\":[1,\\"v\\"]}"}'],
    ['unicode, unchanged', ['ü ✓ 𝄞', '日本'], '{"ü ✓ 𝄞","日本"}'],
    ['newlines and tabs, unchanged', ['a\nb\tc'], '{"a\nb\tc"}'],
  ])('encodes %s', (_label, values, literal) => {
    expect(textArray(values)).toBe(literal);
  });
});

describe('intArray and boolArray', () => {
  it('write numbers, NULLs and booleans as bare array elements', () => {
    expect(intArray([])).toBe('{}');
    expect(intArray([0, -5, 2147483647, null, 1700000000000])).toBe('{0,-5,2147483647,NULL,1700000000000}');
    expect(boolArray([true, false])).toBe('{true,false}');
    expect(boolArray([])).toBe('{}');
  });
});

describe('status lists from the constants', () => {
  it('are the unfinished statuses and the ones resume takes', () => {
    expect(ACTIVE).toBe("('ENQUEUED', 'DELAYED', 'PENDING')");
    expect(RESUMABLE).toBe("('CANCELLED', 'MAX_RECOVERY_ATTEMPTS_EXCEEDED')");
  });
});

describe('statusList', () => {
  it('quotes each status in an SQL list', () => {
    expect(statusList(['PENDING', 'ENQUEUED'])).toBe("('PENDING', 'ENQUEUED')");
    expect(statusList(['SUCCESS'])).toBe("('SUCCESS')");
  });
});

describe('likePrefix', () => {
  it.each([
    ['a plain prefix', 'order-', 'order-%'],
    ['the empty prefix, matching everything', '', '%'],
    ['a percent sign, taken literally', '50%', '50\\%%'],
    ['an underscore, taken literally', 'sched_', 'sched\\_%'],
    ['a backslash, taken literally', 'a\\b', 'a\\\\b%'],
    ['all three together', '\\%_', '\\\\\\%\\_%'],
    ['unicode, unchanged', 'ü✓', 'ü✓%'],
  ])('escapes %s', (_label, prefix, pattern) => {
    expect(likePrefix(prefix)).toBe(pattern);
  });
});
