/**
 * Writing parameters into a statement as literals (adapters/inline-params.ts), as text: each placeholder replaced
 * by its literal, nothing replaced inside strings, identifiers, dollar quotes or comments, and a refusal (undefined,
 * so the driver sends parameters instead) where inlining could change the statement. That Postgres reads every
 * literal back exactly is checked against a real database in test/integration/drivers/round-trips.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { inlineParams } from '../../adapters/inline-params.ts';

describe('inlineParams', () => {
  it('writes strings and numbers as quoted literals of unknown type, booleans and null as keywords', () => {
    expect(inlineParams('SELECT $1, $2, $3, $4, $5', ['a', 42, true, false, null])).toBe(
      "SELECT E'a', E'42', TRUE, FALSE, NULL",
    );
  });

  it('doubles quotes and backslashes, so no value can close its literal', () => {
    expect(inlineParams('SELECT $1', ["x'); DROP TABLE t; --\\"])).toBe("SELECT E'x''); DROP TABLE t; --\\\\'");
    expect(inlineParams('SELECT $1', ["\\'"])).toBe("SELECT E'\\\\'''");
  });

  it('tells $1 from $10 and reuses a placeholder given twice', () => {
    const params = Array.from({ length: 10 }, (_, i) => `v${i + 1}`);
    expect(inlineParams('SELECT $10, $1, $1', params)).toBe("SELECT E'v10', E'v1', E'v1'");
  });

  it('leaves placeholders alone inside strings, quoted identifiers, dollar quotes and comments', () => {
    const text = `SELECT '$1', E'\\'$1', "a$1", $q$ $1 $q$, $$ $1 $$ -- $1
      /* $1 */, x$1, $1`;
    expect(inlineParams(text, ['v'])).toBe(`SELECT '$1', E'\\'$1', "a$1", $q$ $1 $q$, $$ $1 $$ -- $1
      /* $1 */, x$1, E'v'`);
  });

  it('keeps a value that looks like a placeholder as it is', () => {
    expect(inlineParams('SELECT $1, $2', ['$2', 'b'])).toBe("SELECT E'$2', E'b'");
  });

  it('refuses a string holding a NUL, which would end the statement text on the wire', () => {
    expect(inlineParams('SELECT $1', ['a\0b'])).toBeUndefined();
  });

  it('refuses a placeholder with no parameter', () => {
    expect(inlineParams('SELECT $2', ['a'])).toBeUndefined();
    expect(inlineParams('SELECT $0', ['a'])).toBeUndefined();
  });
});
