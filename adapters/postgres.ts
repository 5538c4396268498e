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
  /** Seconds to wait for a connection to open, and the longest a statement waits unsent for one. Default 10. */
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
 * postgres.js's reconnect delay after a connection failed, in seconds: its default (3^n/100 s, up to 20 s, with `n`
 * the pool's failures since a connection last opened) held a statement up to 20 s for its connection when backends
 * were terminated now and then. The caller paces its own retries (waits back off, HTTP answers Retry-After), so the
 * pool waits at most a second; enough to keep the listener connection from reconnecting in a tight loop.
 */
const reconnectDelay = (failures: number) => Math.min(2 ** failures / 100, 1) * (0.5 + Math.random() / 2);

/** The fields of a postgres.js 3.4 statement (`Query`) that `settled` reads and sets; none is public API. */
interface QueryInternals {
  /** The backend the statement was handed to; null until it is. */
  state: unknown;
  strings: string[];
  args: unknown[];
  options: { simple?: boolean; prepare?: boolean };
  /** Set by `cancel()`: postgres.js then skips the statement wherever it finds it. */
  cancelled: unknown;
}

const internals = (q: object) => q as unknown as QueryInternals;

/** A statement postgres.js has not yet handed to a connection. */
const unsent = (q: object) => internals(q).state == null;

/**
 * Makes a cancelled, unsent statement a `SELECT 1` that postgres.js may run. The cancel took it out of the queue if it
 * waited there; but if it is the statement a connection is opening for, postgres.js, finding it cancelled once that
 * connection opens, skips it and never gives the connection to the pool: it idles until its lifetime ends (half an
 * hour or more), and with `max: 1` every later statement strands in turn. Run instead, the no-op hands it back.
 */
function disarm(q: object): void {
  const query = internals(q);
  query.strings = ['SELECT 1'];
  query.args = [];
  query.options = { ...query.options, simple: true, prepare: false };
  query.cancelled = null;
}

/** Whether a failure may have lost its connection: not an error the server reported and lived on after. */
const mayHaveLostConnection = (e: unknown) =>
  !(e instanceof postgres.PostgresError) || e.severity === 'FATAL' || e.severity === 'PANIC';

/** Resolves once the event loop has turned: two timers, so every 'close' pending at the call has been emitted. */
const turn = () => new Promise<void>((resolve) => setTimeout(() => setTimeout(resolve)));

/**
 * Creates a driver from a connection URL (the driver owns and closes the pool) or from an existing
 * `postgres()` instance (the caller keeps ownership; `close()` leaves it open).
 */
export function postgresDriver(source: string | postgres.Sql, options: PostgresDriverOptions = {}): Driver {
  const owned = typeof source === 'string';
  const connectTimeout = owned ? (options.connectTimeout ?? 10) : Number(source.options.connect_timeout) || 0;
  const sql: postgres.Sql =
    typeof source === 'string'
      ? postgres(source, {
          max: options.max ?? 10,
          prepare: options.prepare ?? true,
          idle_timeout: options.idleTimeout ?? 30,
          connect_timeout: options.connectTimeout ?? 10,
          backoff: reconnectDelay,
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
  /**
   * postgres.js never rejects a statement handed to a connection being opened if the peer closes that connection
   * while it opens without an error (a proxy or pooler whose database is down): it reconnects at once, restarting its
   * connect timer, for as long as the peer does so. So a statement not yet handed to an open connection when the
   * connect timeout has passed (stranded so, or queued that long behind busy connections) is cancelled and disarmed
   * (see `disarm`), so it is never sent, and fails retryably. One already handed over is left alone: its outcome is
   * the database's to tell, or the lost connection's. (postgres.js 3.4.9 also strands statements on a connection whose
   * socket closed while a small write waited for its `setImmediate`: that connection never sends its next start-up
   * message until more than 1 KiB is buffered, so each of its next few openings times out. Only postgres.js can fix
   * that; this bounds it.)
   */
  const connectTimedOut = (cause?: unknown) =>
    new DriverError(`No connection opened within the connect timeout (${connectTimeout} s)`, { cause });
  const settled = async <T>(q: PromiseLike<T> & { cancel(): void }) => {
    if (!connectTimeout) return await q;
    let stranded = false;
    const watchdog = setTimeout(() => {
      if (!unsent(q)) return;
      stranded = true;
      q.cancel();
      disarm(q);
    }, connectTimeout * 1000);
    try {
      return await q;
    } catch (e) {
      throw stranded ? connectTimedOut(e) : e;
    } finally {
      clearTimeout(watchdog);
    }
  };
  /**
   * A transaction's BEGIN is sent by postgres.js itself, out of `settled`'s reach, and strands the same way. So a
   * transaction not started when the connect timeout has passed fails retryably; should its connection open later,
   * it rolls back before sending any of its statements, which hands the connection back to the pool.
   */
  const transaction = async <T>(work: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> => {
    if (!connectTimeout) return (await sql.begin(work)) as T;
    let started = false;
    let abandoned = false;
    const begun = sql.begin((tx) => {
      if (abandoned) throw new DriverError('The transaction was abandoned before it started', {});
      started = true;
      return work(tx);
    });
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      watchdog = setTimeout(() => {
        if (started) return;
        abandoned = true;
        begun.catch(() => {}); // its rollback, if its connection ever opens, is nobody's error
        reject(connectTimedOut());
      }, connectTimeout * 1000);
    });
    try {
      return (await Promise.race([begun, timeout])) as T;
    } finally {
      clearTimeout(watchdog);
    }
  };
  const run = (text: string, params: readonly SqlParam[], on: postgres.Sql | postgres.TransactionSql = sql) => {
    const inlined = options.inlineParams && params.length > 0 ? inlineParams(text, params) : undefined;
    return inlined === undefined
      ? on.unsafe(text, params as SqlParam[], unsafeOptions)
      : on.unsafe(inlined, [], oneFlight);
  };

  /**
   * postgres.js learns that a connection is lost from its socket's 'error' (a reset, as when its backend is
   * terminated), and fails the statements in flight on it; but it takes the connection out of the pool only on the
   * socket's 'close', emitted later in that turn of the event loop. A statement handed to the connection in between
   * is never sent, nor failed: it stays queued on that connection, which, reopened for a later statement, then waits
   * for its reply forever (and so did the caller, and every statement after it on that connection). The statements
   * handed over in between are those sent in reaction to the failure (a caller retrying at once), so after a failure
   * that may have lost a connection, the next statements wait for the event loop to turn before they are handed over.
   */
  let afterLoss: Promise<void> | undefined;
  const failed = (e: unknown) => {
    if (!mayHaveLostConnection(e) || afterLoss) return;
    afterLoss = turn().then(() => {
      afterLoss = undefined;
    });
  };

  return {
    ...(typeof source === 'string' ? { database: databaseIdentity(source) } : {}),
    async query<R extends Row = Row>(text: string, params: readonly SqlParam[] = []): Promise<R[]> {
      try {
        if (afterLoss) await afterLoss;
        const rows = await settled(run(text, params));
        return rows as unknown as R[];
      } catch (e) {
        failed(e);
        throw DriverError.from(e);
      }
    },

    async batch(statements: readonly Statement[]): Promise<Row[][]> {
      try {
        if (afterLoss) await afterLoss;
        const result = await transaction((tx) =>
          // Sent back to back without waiting: postgres.js pipelines them on the transaction's connection.
          Promise.all(statements.map((s) => run(s.text, s.params, tx))),
        );
        return result as unknown as Row[][];
      } catch (e) {
        failed(e);
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
