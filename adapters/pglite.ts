/**
 * PGlite (`@electric-sql/pglite`, Postgres compiled to WebAssembly) as an embedded system database: nothing to
 * install or run, persisted in a folder (or in memory). Opening applies `ensureSchema()`, so a fresh folder is
 * ready for the client at once. One PGlite instance is one Postgres session: statements run one at a time,
 * `batch` is a real transaction, and `listen` sees every NOTIFY sent through the same instance (DBOS workers
 * cannot share it, since they connect over TCP).
 *
 * Pinned to 0.5.14, the version `@electric-sql/pglite-socket` 0.2.17 peer-requires. It runs Postgres 18.
 */
import { PGlite } from '@electric-sql/pglite';
import type { Driver, Row, SqlParam, Statement } from '../src/driver.ts';
import { DriverError } from '../src/errors.ts';
import { ensureSchema } from '../src/schema/ensure.ts';

export interface PgliteDriverOptions {
  /**
   * Where the database lives: a folder (created if missing; Node, Bun, Deno), `idb://name` (browsers), or omitted
   * for a fresh in-memory database. One folder must be opened by one instance at a time.
   */
  dataDir?: string;
  /** An already open PGlite instance instead of `dataDir`; the caller keeps ownership (`close()` leaves it open). */
  db?: PGlite;
  /** The DBOS system schema to ensure. Default `dbos`. */
  schema?: string;
  /** Create the DBOS schema if it is missing (default true). */
  ensureSchema?: boolean;
}

/** The folder `openDefaultDriver` uses when none is given (the service reads `DBOS_EDGE_DATA_DIR`). */
export const DEFAULT_DATA_DIR = '.data/pglite';

function int8(x: string): number {
  const n = Number(x);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${x} does not fit a JS number`);
  return n;
}

/** `int8` and `int8[]` as numbers (refusing values past 2^53): the value conventions of `src/driver.ts`. */
const parsers = {
  20: int8,
  1016: (x: string) =>
    x === '{}'
      ? []
      : x
          .slice(1, -1)
          .split(',')
          .map((v) => (v === 'NULL' ? null : int8(v))),
};

/** Opens (creating if needed) a PGlite database and returns a driver on it, with the DBOS schema in place. */
export async function pgliteDriver(options: PgliteDriverOptions = {}): Promise<Driver> {
  const owned = options.db === undefined;
  let db: PGlite;
  try {
    db = options.db ?? (await PGlite.create(options.dataDir ? { dataDir: options.dataDir } : {}));
  } catch (e) {
    throw new DriverError(
      `Could not open the PGlite database${options.dataDir ? ` in ${options.dataDir}` : ''}: ${messageOf(e)}`,
      { cause: e },
    );
  }
  let closed = false;
  const check = () => {
    if (closed || db.closed) throw new DriverError('The PGlite driver is closed', {});
  };

  const driver: Driver = {
    async query<R extends Row = Row>(text: string, params: readonly SqlParam[] = []): Promise<R[]> {
      check();
      try {
        return (await db.query<R>(text, [...params], { parsers })).rows;
      } catch (e) {
        throw DriverError.from(e);
      }
    },

    async batch(statements: readonly Statement[]): Promise<Row[][]> {
      check();
      try {
        return await db.transaction(async (tx) => {
          const results: Row[][] = [];
          for (const s of statements) results.push((await tx.query<Row>(s.text, [...s.params], { parsers })).rows);
          return results;
        });
      } catch (e) {
        throw DriverError.from(e);
      }
    },

    async listen(channel: string, onPayload: (payload: string) => void) {
      check();
      try {
        const unlisten = await db.listen(channel, onPayload);
        return async () => {
          if (!db.closed) await unlisten();
        };
      } catch (e) {
        throw DriverError.from(e);
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      if (owned && !db.closed) await db.close();
    },
  };

  if (options.ensureSchema ?? true) {
    try {
      await ensureSchema(driver, options.schema === undefined ? {} : { schema: options.schema });
    } catch (e) {
      await driver.close();
      throw e;
    }
  }
  return driver;
}

/**
 * The embedded default when no database URL is configured: PGlite persisted in `dataDir`
 * (default `.data/pglite`), with the DBOS schema in place.
 */
export function openDefaultDriver(options: { dataDir?: string; schema?: string } = {}): Promise<Driver> {
  return pgliteDriver({
    dataDir: options.dataDir ?? DEFAULT_DATA_DIR,
    ...(options.schema ? { schema: options.schema } : {}),
  });
}

/** Emscripten's errno numbers (PGlite's file system errors carry only these), for the common cases. */
const ERRNO: Record<number, string> = {
  2: 'EACCES: permission denied',
  20: 'EEXIST: already exists',
  31: 'EISDIR: is a directory',
  44: 'ENOENT: no such file or directory',
  51: 'ENOSPC: no space left on device',
  54: 'ENOTDIR: not a directory',
  69: 'EROFS: read-only file system',
};

function messageOf(e: unknown): string {
  const err = e as { name?: unknown; message?: unknown; errno?: unknown };
  if (typeof err?.errno === 'number') return ERRNO[err.errno] ?? `file system error (errno ${err.errno})`;
  if (typeof err?.message === 'string' && err.message) return err.message;
  return String(e);
}
