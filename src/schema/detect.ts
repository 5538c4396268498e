import type { Driver } from '../driver.ts';
import { DriverError, SchemaError } from '../errors.ts';
import { SCHEMA_VERSION } from './ensure.ts';

/** The oldest schema the client writes correctly: shared migration 100 added `application_name`. */
export const MIN_SCHEMA_VERSION = 100;

/** What the connected system database has, read once per client (one round trip). */
export interface SchemaFeatures {
  readonly version: number;
  /** Migration 109: payloads live in `workflow_input` / `workflow_output`. */
  readonly payloadTables: boolean;
  /** Migration 123: `workflow_status.creator_xid`. */
  readonly creatorXid: boolean;
  /** Migration 121: `notifications.consumed_by_function_id`. */
  readonly consumedByFunctionId: boolean;
}

/** How long a database's schema features are reused by the clients of one process or isolate. */
const FEATURES_TTL_MS = 60_000;
const known = new Map<string, { at: number; features: SchemaFeatures }>();

/**
 * The features of the newest schema dbos-edge writes (migration 123, `ensureSchema`'s). A per-request client assumes
 * them rather than spend a round trip reading them: a statement written for them names a table or column that an
 * older schema lacks, so on an older schema it fails whole (`isSchemaMismatch`), and the client reads the real
 * features and sends it again (see `runOn`).
 */
export const NEWEST_FEATURES: SchemaFeatures = {
  version: SCHEMA_VERSION,
  payloadTables: true,
  creatorXid: true,
  consumedByFunctionId: true,
};

/** Whether two feature sets write and read the same SQL. */
export function sameFeatures(a: SchemaFeatures, b: SchemaFeatures): boolean {
  return (
    a.payloadTables === b.payloadTables &&
    a.creatorXid === b.creatorXid &&
    a.consumedByFunctionId === b.consumedByFunctionId
  );
}

/** A statement failed because the schema has no such table, column or schema: an older (or no) DBOS schema. */
export function isSchemaMismatch(error: unknown): boolean {
  return error instanceof DriverError && ['42P01', '42703', '3F000'].includes(error.sqlState ?? '');
}

const cacheKey = (driver: Driver, schema: string) =>
  driver.database === undefined ? undefined : `${driver.database}|${schema}`;

/** The features read for this database in the last minute by any client of this process or isolate, if any. */
export function knownSchema(driver: Driver, schema: string): SchemaFeatures | undefined {
  const key = cacheKey(driver, schema);
  const hit = key === undefined ? undefined : known.get(key);
  return hit && Date.now() - hit.at < FEATURES_TTL_MS ? hit.features : undefined;
}

/**
 * `detectSchema`, reused for a minute across the clients of one database (by `Driver.database`): an edge runtime
 * makes a client per request, and the features of a schema change only when a DBOS app migrates it. Only the
 * resolved facts are shared, never a pending query, since workerd binds I/O to the request that started it.
 */
export async function detectSchemaCached(
  driver: Driver,
  quotedSchema: string,
  schema: string,
): Promise<SchemaFeatures> {
  const hit = knownSchema(driver, schema);
  if (hit) return hit;
  const key = cacheKey(driver, schema);
  const features = await detectSchema(driver, quotedSchema, schema);
  if (key !== undefined) known.set(key, { at: Date.now(), features });
  return features;
}

export async function detectSchema(driver: Driver, quotedSchema: string, schema: string): Promise<SchemaFeatures> {
  let rows: Record<string, unknown>[];
  try {
    rows = await driver.query(
      `SELECT m.version,
         EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'workflow_input') AS payload_tables,
         EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'workflow_status' AND column_name = 'creator_xid') AS creator_xid,
         EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'notifications' AND column_name = 'consumed_by_function_id') AS consumed_by
       FROM (SELECT max(version) AS version FROM ${quotedSchema}.dbos_migrations) m`,
      [schema],
    );
  } catch (e) {
    if (e instanceof DriverError && (e.sqlState === '42P01' || e.sqlState === '3F000')) {
      throw new SchemaError(
        `No DBOS system schema "${schema}" in this database. Launch a DBOS app on it, run \`dbos schema <url>\`, or call ensureSchema().`,
      );
    }
    throw e;
  }
  const row = rows[0] ?? {};
  const version = Number(row.version ?? 0);
  if (version < MIN_SCHEMA_VERSION) {
    throw new SchemaError(
      `DBOS system schema "${schema}" is at migration ${version}; dbos-edge needs ${MIN_SCHEMA_VERSION} or later. Upgrade the DBOS app that owns it.`,
    );
  }
  return {
    version,
    payloadTables: row.payload_tables === true,
    creatorXid: row.creator_xid === true,
    consumedByFunctionId: row.consumed_by === true,
  };
}
