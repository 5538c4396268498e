/**
 * The narrow SQL driver interface the core is written against. Every client operation is one `query`
 * or one `batch`, so a driver over plain HTTP (Neon's `neon()`) can implement it: no interactive transactions.
 *
 * Value conventions every adapter keeps, so the core never branches on the driver:
 * - params are `string | number | boolean | null`; arrays are passed as Postgres array literals (see `sql/base.ts`)
 *   and JSON as text cast in SQL (`$1::text::jsonb`);
 * - result rows are plain objects keyed by column name; `int8` comes back as a JS number (epoch ms fit safely),
 *   `json`/`jsonb` parsed, `bool` as boolean, text as string;
 * - failures are thrown as `DriverError` carrying the SQLSTATE and the constraint name.
 */
import { DriverError } from './errors.ts';

export type SqlParam = string | number | boolean | null;

/** Parses an `int8` text value to a JS number, refusing values past 2^53 rather than rounding them silently. */
export function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new DriverError(`int8 value ${text} does not fit a JS number`, {});
  return n;
}

/** A database's identity from its connection URL, with no password, for `Driver.database`. */
export function databaseIdentity(url: string): string | undefined {
  try {
    const u = new URL(url.replace(/^[a-z+]+:/i, 'postgresql:'));
    return `${u.hostname}:${u.port || '5432'}${u.pathname} ${decodeURIComponent(u.username)}`;
  } catch {
    return undefined;
  }
}
export type Row = Record<string, unknown>;

declare const rowShape: unique symbol;

/** One SQL statement and its parameters; `R` is the shape of the rows it returns. */
export interface Statement<R extends Row = Row> {
  readonly text: string;
  readonly params: readonly SqlParam[];
  /** Type only, never set: carries `R` from where a statement is built to where its rows are read. */
  readonly [rowShape]?: R;
}

export interface Driver {
  /**
   * The database this driver reaches, without credentials (`host:port/database user`). Set by adapters built from a
   * URL; lets short-lived clients of one database share facts such as the schema's features.
   */
  readonly database?: string;
  /** Runs one statement in one round trip and returns its rows. */
  query<R extends Row = Row>(text: string, params?: readonly SqlParam[]): Promise<R[]>;
  /** Runs the statements in order inside one transaction, all or nothing, and returns each one's rows. */
  batch(statements: readonly Statement[]): Promise<Row[][]>;
  /**
   * Subscribes to a NOTIFY channel, calling `onPayload` for each notification; resolves once listening,
   * to a function that unsubscribes. Absent when the transport cannot listen (HTTP); the core then polls.
   */
  listen?(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  /** Releases every connection the driver opened. Idempotent. */
  close(): Promise<void>;
}
