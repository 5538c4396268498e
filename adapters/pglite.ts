/**
 * PGlite (`@electric-sql/pglite`, Postgres compiled to WebAssembly) as an embedded system database: nothing to
 * install or run, persisted in a folder (or in memory). `connect.ts` opens it with the DBOS schema in place
 * (`ensureSchema()`), so a fresh folder is ready for the client at once. One PGlite instance is one Postgres session: statements run one at a time,
 * `batch` is a real transaction, and `listen` sees every NOTIFY sent through the same instance (DBOS workers
 * cannot share it, since they connect over TCP).
 *
 * Pinned to 0.5.14, the version `@electric-sql/pglite-socket` 0.2.17 peer-requires. It runs Postgres 18.
 */
import type { PGlite } from '@electric-sql/pglite';
import { type Driver, parseInt8, type Row, type SqlParam, type Statement } from '../src/driver.ts';
import { DBOSEdgeError, DriverError, missingPackageError } from '../src/errors.ts';

export interface PgliteDriverOptions {
  /**
   * Where the database lives: a folder (created if missing; Node, Bun, Deno), `idb://name` (browsers), or omitted
   * for a fresh in-memory database. One folder must be opened by one instance at a time.
   */
  dataDir?: string;
  /** An already open PGlite instance instead of `dataDir`; the caller keeps ownership (`close()` leaves it open). */
  db?: PGlite;
}

/** `int8` and `int8[]` as numbers (refusing values past 2^53): the value conventions of `src/driver.ts`. */
const parsers = {
  20: parseInt8,
  1016: (x: string) =>
    x === '{}'
      ? []
      : x
          .slice(1, -1)
          .split(',')
          .map((v) => (v === 'NULL' ? null : parseInt8(v))),
};

/** PGlite's class, loaded on first use (an optional peer dependency: see src/errors.ts (missingPackageError)). */
function loadPglite(): Promise<typeof PGlite> {
  return import('@electric-sql/pglite').then(
    (m) => m.PGlite,
    (e: unknown) => Promise.reject(missingPackageError('@electric-sql/pglite', 'the embedded PGlite database', e)),
  );
}

/** Opens (creating if needed) a PGlite database and returns a driver on it. */
export async function pgliteDriver(options: PgliteDriverOptions = {}): Promise<Driver> {
  const owned = options.db === undefined;
  let db: PGlite;
  try {
    db = options.db ?? (await (await loadPglite()).create(options.dataDir ? { dataDir: options.dataDir } : {}));
  } catch (e) {
    if (e instanceof DBOSEdgeError) throw e;
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

  return driver;
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
