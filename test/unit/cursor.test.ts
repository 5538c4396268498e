/**
 * Paging cursors: base64url JSON of the last row's (created_at, workflow ID) and the direction. What encodes must
 * decode to the same position, and anything else, garbage or a cursor edited by hand into another shape, is a
 * ValidationError naming the field, never a page read from a wrong position.
 */
import { describe, expect, it } from 'vitest';
import { type Cursor, decodeCursor, encodeCursor, isCursor } from '../../src/cursor.ts';
import { validationErrorOf } from '../helpers/validation.ts';

/** Base64url (no padding) of some text, as a caller forging a cursor would make it. */
function forge(json: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(json)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const rejection = (text: string, field: string) => validationErrorOf(() => decodeCursor(text, field));

describe('encodeCursor', () => {
  it('writes [createdAt, id, 1 or 0] as unpadded base64url JSON', () => {
    expect(encodeCursor({ createdAt: 1, id: 'a', sortDesc: true })).toBe('WzEsImEiLDFd');
    expect(encodeCursor({ createdAt: 1, id: 'ab', sortDesc: true })).toBe('WzEsImFiIiwxXQ');
  });

  it('uses - and _ where base64 has + and /', () => {
    expect(encodeCursor({ createdAt: 1, id: '~~~', sortDesc: true })).toBe('WzEsIn5-fiIsMV0');
    expect(encodeCursor({ createdAt: 1, id: '??>', sortDesc: false })).toBe('WzEsIj8_PiIsMF0');
  });
});

describe('round trip', () => {
  it.each<[string, Cursor]>([
    ['the epoch, ascending', { createdAt: 0, id: 'wf-1', sortDesc: false }],
    ['a current timestamp, descending', { createdAt: 1_767_225_600_123, id: 'wf-2', sortDesc: true }],
    ['the largest safe integer', { createdAt: Number.MAX_SAFE_INTEGER, id: 'x', sortDesc: true }],
    ['an empty ID', { createdAt: 5, id: '', sortDesc: false }],
    ['an ID with quotes, backslashes and JSON', { createdAt: 5, id: 'a"b\\c{"d":[1]}', sortDesc: true }],
    ['an ID in unicode, astral plane included', { createdAt: 5, id: 'wf-ü-日本-𝄞-✓', sortDesc: false }],
    ['an ID that base64 would write with + and /', { createdAt: 5, id: '~~~??>', sortDesc: true }],
    ['a long ID', { createdAt: 5, id: 'w'.repeat(2000), sortDesc: false }],
  ])('decodes %s to the same position', (_label, cursor) => {
    const text = encodeCursor(cursor);
    expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
    expect(decodeCursor(text, 'cursor')).toEqual(cursor);
    expect(isCursor(text)).toBe(true);
  });
});

describe('refused cursors', () => {
  it.each([
    ['the empty string', ''],
    ['text that is not base64', 'not a cursor!'],
    ['base64 of text that is not JSON', forge('hello')],
    ['truncated', encodeCursor({ createdAt: 1_767_225_600_123, id: 'wf-2', sortDesc: true }).slice(0, -3)],
    ['JSON null', forge('null')],
    ['a JSON object', forge('{"createdAt":1,"id":"a","sortDesc":1}')],
    ['a JSON string', forge('"WzEsImEiLDFd"')],
    ['an array missing the direction', forge('[1,"a"]')],
    ['an empty array', forge('[]')],
    ['a fractional timestamp', forge('[1.5,"a",1]')],
    ['a timestamp as a string', forge('["1","a",1]')],
    ['a timestamp beyond the safe integers', forge('[9007199254740992,"a",1]')],
    ['a numeric ID', forge('[1,2,1]')],
    ['a null ID', forge('[1,null,1]')],
    ['a direction of 2', forge('[1,"a",2]')],
    ['a direction as a boolean', forge('[1,"a",true]')],
  ])('refuses %s with a ValidationError naming the field', (_label, text) => {
    const error = rejection(text, 'input.cursor');
    expect(error.code).toBe('VALIDATION');
    expect(error.issues).toEqual([
      { field: 'input.cursor', rule: 'cursor', message: 'is not a cursor this client returned' },
    ]);
    expect(error.message).toBe('input.cursor: is not a cursor this client returned');
    expect(isCursor(text)).toBe(false);
  });

  it('names whichever field the caller passes', () => {
    expect(rejection('%%%', 'query.cursor').issues[0]?.field).toBe('query.cursor');
  });

  it('refuses a cursor whose characters were edited into invalid JSON', () => {
    const text = encodeCursor({ createdAt: 1_767_225_600_123, id: 'wf-2', sortDesc: true });
    // The first character carries the opening bracket: any other first character breaks the JSON.
    const edited = `${text[0] === 'X' ? 'Y' : 'X'}${text.slice(1)}`;
    expect(rejection(edited, 'cursor').issues[0]?.rule).toBe('cursor');
  });
});
