/**
 * A node-postgres `Pool` the caller already has (the TS SDK's `systemDatabasePool`), as a driver. Typed by shape,
 * so dbos-edge does not depend on `pg`: anything with pg's `query` and `connect` works. The caller keeps the pool:
 * `close()` leaves it open, as the SDK does with a pool it did not create. `int8` columns come back as numbers
 * (pg returns them as text), as every driver returns them.
 */
import { type Driver, parseInt8, type Row, type SqlParam, type Statement } from '../src/driver.ts';
import { DriverError } from '../src/errors.ts';

/** The OIDs of `int8` and `int8[]`, which pg leaves as text (the only types that differ from the conventions). */
const INT8 = 20;
const INT8_ARRAY = 1016;

/** What a pg query resolves to: rows, and each column's type. */
interface PgResult {
  readonly rows: Row[];
  readonly fields?: readonly { readonly name: string; readonly dataTypeID: number }[];
}

/** A checked-out pg client. */
export interface PgPoolClientLike {
  query(text: string, values?: unknown[]): Promise<PgResult>;
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
  release(error?: Error): void;
}

/** A node-postgres `Pool`, by the members this driver uses. */
export interface PgPoolLike {
  query(text: string, values?: unknown[]): Promise<PgResult>;
  connect(): Promise<PgPoolClientLike>;
}

/** An `int8` (or `int8[]`) value pg returned as text, as a number (or numbers). */
function int8Value(value: unknown): unknown {
  if (typeof value === 'string') return parseInt8(value);
  return Array.isArray(value) ? value.map(int8Value) : value;
}

/** The rows with their `int8` and `int8[]` columns as numbers. */
function rowsOf(result: PgResult): Row[] {
  const int8 = (result.fields ?? [])
    .filter((field) => field.dataTypeID === INT8 || field.dataTypeID === INT8_ARRAY)
    .map((field) => field.name);
  if (int8.length === 0) return result.rows;
  return result.rows.map((row) => {
    const converted: Record<string, unknown> = { ...row };
    for (const name of int8) converted[name] = int8Value(row[name]);
    return converted;
  });
}

/** A channel name quoted as an identifier (channels are the core's own constants; quoted all the same). */
const channelIdent = (channel: string) => `"${channel.replace(/"/g, '""')}"`;

export function pgPoolDriver(pool: PgPoolLike): Driver {
  const run = async (query: () => Promise<PgResult>): Promise<Row[]> => {
    try {
      return rowsOf(await query());
    } catch (e) {
      throw DriverError.from(e);
    }
  };

  return {
    async query<R extends Row = Row>(text: string, params: readonly SqlParam[] = []): Promise<R[]> {
      return (await run(() => pool.query(text, [...params]))) as R[];
    },

    async batch(statements: readonly Statement[]): Promise<Row[][]> {
      const client = await pool.connect().catch((e: unknown) => {
        throw DriverError.from(e);
      });
      let broken: Error | undefined;
      try {
        await run(() => client.query('BEGIN'));
        const results: Row[][] = [];
        for (const s of statements) results.push(await run(() => client.query(s.text, [...s.params])));
        await run(() => client.query('COMMIT'));
        return results;
      } catch (e) {
        await client.query('ROLLBACK').catch((rollbackFailed: Error) => {
          broken = rollbackFailed; // the connection is gone: the pool must not reuse it
        });
        throw e;
      } finally {
        client.release(broken);
      }
    },

    /** One pooled connection per channel, held while subscribed. A dropped connection ends the wake-ups; waits then poll. */
    async listen(channel: string, onPayload: (payload: string) => void) {
      const client = await pool.connect().catch((e: unknown) => {
        throw DriverError.from(e);
      });
      client.on('notification', (message) => {
        if (message.channel === channel) onPayload(message.payload ?? '');
      });
      try {
        await run(() => client.query(`LISTEN ${channelIdent(channel)}`));
      } catch (e) {
        client.release(e as Error);
        throw e;
      }
      return async () => {
        await client.query(`UNLISTEN ${channelIdent(channel)}`).then(
          () => client.release(),
          (e: Error) => client.release(e),
        );
      };
    },

    /** The caller's pool stays open. */
    async close() {},
  };
}
