/**
 * What every statement module shares: the connected schema, the typed `Query` and the one way to run it, the
 * status columns and payload joins, and the parameter helpers. Statement modules import this and never each other.
 */
import type { Driver, Row, SqlParam, Statement } from '../driver.ts';
import { isSchemaMismatch, type SchemaFeatures } from '../schema/detect.ts';
import {
  ACTIVE_STATUSES,
  COMPLETED_STATUSES,
  FINAL_STATUSES,
  RESUMABLE_STATUSES,
  type WorkflowStatusString,
} from '../status.ts';

export interface SqlContext {
  /** The quoted, validated schema name. */
  readonly schema: string;
  readonly features: SchemaFeatures;
  /**
   * Set while `features` are assumed (`NEWEST_FEATURES`), not read: after a statement failed on a schema mismatch,
   * reads the real features and returns the context to send it again with, or throws `error` if they are the same.
   */
  readonly confirm?: (error: unknown) => Promise<SqlContext>;
}

/** A statement whose rows have the shape `R`. */
export type Query<R extends Row = Row> = Statement<R>;

/** The client's connection, opened once: the driver and the schema it talks to. */
export type Connect = () => Promise<{ driver: Driver; ctx: SqlContext }>;

/** Attempts of a statement that lost a race (serialization failure 40001, deadlock 40P01). */
const RACE_ATTEMPTS = 3;

/**
 * Builds a statement for the connected schema and runs it: one round trip. Built for assumed features, a statement
 * that finds an older schema fails whole and is built again, once, for the features read then. A statement that
 * lost a race was rolled back whole, so it is sent again (up to `RACE_ATTEMPTS` times) before its error reaches the
 * caller.
 */
export async function runOn<R extends Row>(connect: Connect, build: (ctx: SqlContext) => Query<R>): Promise<R[]> {
  const { driver, ctx } = await connect();
  let query = build(ctx);
  let rebuilt = false;
  for (let attempt = 1; ; attempt++) {
    try {
      return await driver.query<R>(query.text, query.params);
    } catch (e) {
      if (!rebuilt && ctx.confirm && isSchemaMismatch(e)) {
        query = build(await ctx.confirm(e));
        rebuilt = true;
        continue;
      }
      const state = (e as { sqlState?: unknown }).sqlState;
      if (attempt >= RACE_ATTEMPTS || (state !== '40001' && state !== '40P01')) throw e;
    }
  }
}

/** The queue every DBOS app polls: resumed, forked and scheduled runs go there unless a queue is named. */
export const INTERNAL_QUEUE = '_dbos_internal_queue';

// ------------------------------------------------------------------ parameters

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

function element(value: string | null): string {
  if (value === null) return 'NULL';
  // Most values (IDs, names, JSON without quotes inside strings) need no escaping: skip the two replaces.
  return NEEDS_ESCAPE.test(value) ? `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : `"${value}"`;
}

/** An integer list as a Postgres array literal (cast with `::int4[]` or `::bigint[]`). */
export function intArray(values: readonly (number | null)[]): string {
  return `{${values.map((n) => n ?? 'NULL').join(',')}}`;
}

/** A boolean list as a Postgres array literal (cast with `::boolean[]`). */
export function boolArray(values: readonly boolean[]): string {
  return `{${values.join(',')}}`;
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

/** A LIKE pattern matching values that start with `prefix` taken literally (its `%`, `_` and backslashes escaped). */
export function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

// ------------------------------------------------------------------ statuses

/** An SQL list of the project's own status constants, `('A', 'B')` (never caller input: it is not escaped). */
export const statusList = (statuses: readonly WorkflowStatusString[]): string =>
  `(${statuses.map((status) => `'${status}'`).join(', ')})`;

export const ACTIVE = statusList(ACTIVE_STATUSES);
export const FINAL = statusList(FINAL_STATUSES);
export const COMPLETED = statusList(COMPLETED_STATUSES);
export const RESUMABLE = statusList(RESUMABLE_STATUSES);

// ------------------------------------------------------------------ workflow_status rows

/** A `workflow_status` row as the listings and `getWorkflow` select it (payload columns when loaded). */
export interface StatusRow extends Row {
  readonly workflow_uuid: string;
  readonly status: WorkflowStatusString;
  readonly name: string | null;
  readonly class_name: string | null;
  readonly config_name: string | null;
  readonly queue_name: string | null;
  readonly authenticated_user: string | null;
  readonly assumed_role: string | null;
  readonly authenticated_roles: string | null;
  readonly executor_id: string | null;
  readonly application_version: string | null;
  readonly application_name: string | null;
  readonly recovery_attempts: number | null;
  readonly created_at: number;
  readonly updated_at: number | null;
  readonly workflow_timeout_ms: number | null;
  readonly workflow_deadline_epoch_ms: number | null;
  readonly deduplication_id: string | null;
  readonly priority: number | null;
  readonly queue_partition_key: string | null;
  readonly started_at_epoch_ms: number | null;
  readonly delay_until_epoch_ms: number | null;
  readonly completed_at: number | null;
  readonly forked_from: string | null;
  readonly was_forked_from: boolean | null;
  readonly parent_workflow_id: string | null;
  readonly attributes: Record<string, unknown> | null;
  readonly schedule_name: string | null;
  readonly serialization: string | null;
  readonly inputs?: string | null;
  readonly output?: string | null;
  readonly error?: string | null;
}

export const STATUS_COLUMNS = [
  'workflow_uuid',
  'status',
  'name',
  'class_name',
  'config_name',
  'queue_name',
  'authenticated_user',
  'assumed_role',
  'authenticated_roles',
  'executor_id',
  'application_version',
  'application_name',
  'recovery_attempts',
  'created_at',
  'updated_at',
  'workflow_timeout_ms',
  'workflow_deadline_epoch_ms',
  'deduplication_id',
  'priority',
  'queue_partition_key',
  'started_at_epoch_ms',
  'delay_until_epoch_ms',
  'completed_at',
  'forked_from',
  'was_forked_from',
  'parent_workflow_id',
  'attributes',
  'schedule_name',
  'serialization',
]
  .map((column) => `ws.${column}`)
  .join(', ');

/** Payload columns and their joins: the payload tables (≥109) first, the legacy columns as fallback. */
export function payloads(ctx: SqlContext, input: boolean, output: boolean): { columns: string; joins: string } {
  const columns: string[] = [];
  const joins: string[] = [];
  const tables = ctx.features.payloadTables;
  if (input) {
    columns.push(tables ? 'COALESCE(wi.inputs, ws.inputs) AS inputs' : 'ws.inputs');
    if (tables) joins.push(`LEFT JOIN ${ctx.schema}.workflow_input wi ON wi.workflow_uuid = ws.workflow_uuid`);
  }
  if (output) {
    columns.push(
      tables
        ? 'COALESCE(wo.output, ws.output) AS output, COALESCE(wo.error, ws.error) AS error'
        : 'ws.output, ws.error',
    );
    if (tables) joins.push(`LEFT JOIN ${ctx.schema}.workflow_output wo ON wo.workflow_uuid = ws.workflow_uuid`);
  }
  return { columns: columns.map((column) => `, ${column}`).join(''), joins: joins.join(' ') };
}
