/**
 * The `postgres` (porsager/postgres.js) driver: TCP on Node, Bun and Deno, `cloudflare:sockets` on Workers.
 * One pooled `Sql` instance; statements are sent with the extended protocol, batches pipeline inside one
 * transaction, and LISTEN uses postgres.js's own reconnecting listener connection.
 */
import postgres from 'postgres';
import { type Driver, databaseIdentity, parseInt8, type Row, type SqlParam, type Statement } from '../src/driver.ts';
import { DriverError } from '../src/errors.ts';
import { inlineParams } from './inline-params.ts';

export interface PostgresDriverOptions {
  /** Most connections in the pool. Default 10. */
  max?: number;
  /** Use named prepared statements (faster for repeated queries). Turn off behind a transaction-mode pooler. Default true. */
  prepare?: boolean;
  /** Seconds an idle connection stays open. Default 30 (0 keeps it forever). */
  idleTimeout?: number;
  /** Seconds to wait for a connection to open. Default 10. */
  connectTimeout?: number;
  /**
   * Look up array types when a connection opens (postgres.js `fetch_types`), so array columns come back as arrays.
   * Default true. The core never needs it (it sends arrays as text literals and reads none): turn it off where each
   * request opens a connection (Cloudflare Workers), to save that round trip.
   */
  fetchTypes?: boolean;
  /**
   * Whether `close()` ends the pool (`sql.end()`). Default true. Set false on Cloudflare Workers: there, `sql.end()`
   * leaves an unhandled `Stream was cancelled` rejection (porsager/postgres#1202), and workerd closes a request's
   * sockets itself when the request ends.
   */
  endOnClose?: boolean;
  /**
   * Send each statement with its parameters written in as literals, in one flight of the unnamed extended protocol
   * (see `inline-params.ts`): one round trip per statement on a new connection, where a prepared one costs two
   * (describe, then execute) and is never reused. Default false; set it where each request opens a connection.
   */
  inlineParams?: boolean;
}

/** Parses `int8` to a JS number, refusing values past 2^53 rather than rounding them silently. */
const int8AsNumber = {
  to: 20,
  from: [20],
  serialize: (x: unknown) => String(x),
  parse: parseInt8,
};

/**
 * Creates a driver from a connection URL (the driver owns and closes the pool) or from an existing
 * `postgres()` instance (the caller keeps ownership; `close()` leaves it open).
 */
export function postgresDriver(source: string | postgres.Sql, options: PostgresDriverOptions = {}): Driver {
  const owned = typeof source === 'string';
  const sql: postgres.Sql =
    typeof source === 'string'
      ? postgres(source, {
          max: options.max ?? 10,
          prepare: options.prepare ?? true,
          idle_timeout: options.idleTimeout ?? 30,
          connect_timeout: options.connectTimeout ?? 10,
          onnotice: () => {},
          types: { int8: int8AsNumber },
          connection: { application_name: 'dbos-edge' },
          fetch_types: options.fetchTypes ?? true,
        })
      : source;
  let closed = false;
  // postgres.js prepares nothing sent through `unsafe` unless asked per query, and an unprepared query with
  // parameters costs two round trips (describe, then execute). Prepared, it costs one after its first use on a
  // connection: the difference between one and two network round trips per operation at the edge.
  const unsafeOptions = { prepare: options.prepare ?? true };
  // No parameters and not `simple`: postgres.js sends Parse, Describe, Bind, Execute and Sync in one write.
  const oneFlight = { prepare: false, simple: false } as postgres.UnsafeQueryOptions;
  const run = (text: string, params: readonly SqlParam[], on: postgres.Sql | postgres.TransactionSql = sql) => {
    const inlined = options.inlineParams && params.length > 0 ? inlineParams(text, params) : undefined;
    return inlined === undefined
      ? on.unsafe(text, params as SqlParam[], unsafeOptions)
      : on.unsafe(inlined, [], oneFlight);
  };

  return {
    ...(typeof source === 'string' ? { database: databaseIdentity(source) } : {}),
    async query<R extends Row = Row>(text: string, params: readonly SqlParam[] = []): Promise<R[]> {
      try {
        const rows = await run(text, params);
        return rows as unknown as R[];
      } catch (e) {
        throw DriverError.from(e);
      }
    },

    async batch(statements: readonly Statement[]): Promise<Row[][]> {
      try {
        const result = await sql.begin((tx) =>
          // Sent back to back without waiting: postgres.js pipelines them on the transaction's connection.
          Promise.all(statements.map((s) => run(s.text, s.params, tx))),
        );
        return result as unknown as Row[][];
      } catch (e) {
        throw DriverError.from(e);
      }
    },

    async listen(channel: string, onPayload: (payload: string) => void) {
      try {
        const { unlisten } = await sql.listen(channel, onPayload);
        return unlisten;
      } catch (e) {
        throw DriverError.from(e);
      }
    },

    async close() {
      if (closed || !owned) return;
      closed = true;
      if (options.endOnClose ?? true) await sql.end({ timeout: 5 });
    },
  };
}
