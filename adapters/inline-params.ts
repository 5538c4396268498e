/**
 * Writes a statement's parameters into its text as literals, so that postgres.js can send it in one flight of the
 * unnamed extended protocol (Parse, Describe, Bind, Execute, Sync). With parameters, postgres.js first describes
 * a statement it has not prepared on the connection, then executes it: two round trips. On a connection opened
 * per request (a Cloudflare Worker) nothing is prepared yet and nothing is reused, so that is every statement.
 *
 * Each literal has the type the parameter would have had: strings and numbers become quoted literals of unknown
 * type (postgres.js sends them as type 0, unknown, too), booleans `TRUE`/`FALSE`, null `NULL`. Strings are written
 * as `E'…'` with backslashes and quotes doubled, which reads back exactly whatever `standard_conforming_strings` is.
 */
import type { SqlParam } from '../src/driver.ts';

function literal(value: SqlParam): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  const text = String(value);
  return `E'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

const IDENTIFIER_CHAR = /[A-Za-z0-9_$]/;

/**
 * The text with each `$n` placeholder replaced by its parameter's literal, or undefined when it cannot be done
 * safely: a string holds a NUL (the protocol ends the statement text at one) or a placeholder has no parameter.
 * Placeholders are only looked for outside quoted strings, quoted identifiers, dollar quotes and comments.
 */
export function inlineParams(text: string, params: readonly SqlParam[]): string | undefined {
  if (params.some((p) => typeof p === 'string' && p.includes('\0'))) return undefined;
  let out = '';
  let from = 0;
  let i = 0;
  while (i < text.length) {
    const char = text[i] as string;
    const next = text[i + 1];
    let end = i + 1;
    if (char === "'" || char === '"') {
      // Quoted string or identifier; a doubled quote stays inside. (E'…' strings: `\'` is kept inside too.)
      end = i + 1;
      while (end < text.length) {
        if (text[end] === '\\' && char === "'" && (text[i - 1] === 'E' || text[i - 1] === 'e')) end += 2;
        else if (text[end] === char && text[end + 1] === char) end += 2;
        else if (text[end] === char) break;
        else end++;
      }
      end++;
    } else if (char === '-' && next === '-') {
      end = text.indexOf('\n', i);
      if (end < 0) end = text.length;
    } else if (char === '/' && next === '*') {
      end = text.indexOf('*/', i + 2);
      end = end < 0 ? text.length : end + 2;
    } else if (char === '$' && (i === 0 || !IDENTIFIER_CHAR.test(text[i - 1] as string))) {
      const placeholder = /^\$(\d+)/.exec(text.slice(i, i + 12));
      if (placeholder) {
        const index = Number(placeholder[1]) - 1;
        if (index < 0 || index >= params.length) return undefined;
        out += text.slice(from, i) + literal(params[index] as SqlParam);
        i += placeholder[0].length;
        from = i;
        continue;
      }
      const tag = /^\$[A-Za-z_]?[A-Za-z0-9_]*\$/.exec(text.slice(i));
      if (tag) {
        const close = text.indexOf(tag[0], i + tag[0].length);
        end = close < 0 ? text.length : close + tag[0].length;
      }
    }
    i = end;
  }
  return out + text.slice(from);
}
