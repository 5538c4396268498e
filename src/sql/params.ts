import type { SqlParam } from '../driver.ts';

/**
 * Encodes a string list as a Postgres array literal, passed as text and cast with `::text[]` in SQL.
 * Every driver sends text params verbatim, so arrays work the same over TCP, HTTP and PGlite without
 * the driver having to know array type OIDs (postgres.js without `fetch_types`, Neon HTTP).
 */
export function textArray(values: readonly (string | null)[]): string {
  // Elements are always quoted, so only the bare word NULL means SQL NULL.
  return `{${values.map(element).join(',')}}`;
}

const NEEDS_ESCAPE = /["\\]/;

function element(v: string | null): string {
  if (v === null) return 'NULL';
  // Most values (IDs, names, JSON without quotes inside strings) need no escaping: skip the two replaces.
  return NEEDS_ESCAPE.test(v) ? `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : `"${v}"`;
}

/** Epoch milliseconds of the database clock, so every timestamp a statement writes agrees with the workers'. */
export const NOW_MS = '(EXTRACT(EPOCH FROM now()) * 1000)::bigint';

/** A statement's placeholder for each value it binds: pushes the value onto `params` and returns `$n`. */
export function binder(params: SqlParam[]): (value: SqlParam) => string {
  return (value) => {
    params.push(value);
    return `$${params.length}`;
  };
}

/** An SQL list of the project's own status constants, `('A', 'B')` (never caller input: it is not escaped). */
export const statusList = (statuses: readonly string[]): string => `(${statuses.map((st) => `'${st}'`).join(', ')})`;

/** A LIKE pattern matching values that start with `prefix` taken literally (its `%`, `_` and backslashes escaped). */
export function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
