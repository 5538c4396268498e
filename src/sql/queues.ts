/**
 * The `queues` table: database-backed queue definitions, which DBOS workers poll in their application's scope.
 * Each operation is one statement. The partition columns exist from migration 108 (TS ≥ 4.27, Python after 2.30),
 * so the statements name them only when the schema has them.
 */
import type { Row, SqlParam } from '../driver.ts';
import { binder, NOW_MS, type Query, type SqlContext, textArray } from './base.ts';

/** Migration 108 added the partition limits. */
const PARTITION_LIMITS_VERSION = 108;

/** A queue's settings by column (null: no limit). */
export interface QueueColumns {
  readonly concurrency: number | null;
  readonly worker_concurrency: number | null;
  readonly rate_limit_max: number | null;
  readonly rate_limit_period_sec: number | null;
  readonly partition_concurrency: number | null;
  readonly partition_worker_concurrency: number | null;
  readonly partition_rate_limit_max: number | null;
  readonly partition_rate_limit_period_sec: number | null;
  readonly polling_interval_sec: number;
}
export type QueueColumn = keyof QueueColumns;

export interface QueueRow extends Row, QueueColumns {
  readonly name: string;
  readonly application_name: string | null;
}

const BASE_COLUMNS = [
  'concurrency',
  'worker_concurrency',
  'rate_limit_max',
  'rate_limit_period_sec',
  'polling_interval_sec',
] as const;
export const PARTITION_COLUMNS = [
  'partition_concurrency',
  'partition_worker_concurrency',
  'partition_rate_limit_max',
  'partition_rate_limit_period_sec',
] as const;

/** Whether the connected schema has the partition limit columns. */
export function hasPartitionLimits(ctx: SqlContext): boolean {
  return ctx.features.version >= PARTITION_LIMITS_VERSION;
}

/** The setting columns this schema has. */
function settingColumns(ctx: SqlContext): readonly QueueColumn[] {
  return hasPartitionLimits(ctx) ? [...BASE_COLUMNS, ...PARTITION_COLUMNS] : BASE_COLUMNS;
}

/** What a queue row is read as; partition limits are null on a schema without them. */
function selectList(ctx: SqlContext, alias: string): string {
  const partition = hasPartitionLimits(ctx)
    ? PARTITION_COLUMNS.map((c) => `${alias}.${c}`)
    : PARTITION_COLUMNS.map((c) => `NULL::int4 AS ${c}`);
  return [`${alias}.name`, `${alias}.application_name`, ...BASE_COLUMNS.map((c) => `${alias}.${c}`), ...partition].join(
    ', ',
  );
}

/** A queue is partitioned when any partition limit is set (the stored `partition_queue` flag follows them). */
const partitioned = (alias: string) =>
  PARTITION_COLUMNS.slice(0, 3)
    .map((c) => `${alias}.${c} IS NOT NULL`)
    .join(' OR ');

/** Pairs of limits where the first may not exceed the second; both statements and messages use them. */
export const LIMIT_BOUNDS: readonly (readonly [QueueColumn, QueueColumn])[] = [
  ['worker_concurrency', 'concurrency'],
  ['partition_concurrency', 'concurrency'],
  ['partition_worker_concurrency', 'concurrency'],
  ['partition_worker_concurrency', 'partition_concurrency'],
  ['partition_worker_concurrency', 'worker_concurrency'],
];

/** The row a register statement wrote (`written`), or the one it left as it was (`kept`). */
export interface RegisteredRow extends QueueRow {
  readonly outcome: 'written' | 'kept';
}

/**
 * Registers a queue in one statement, owned as DBOS owns it: an unclaimed row is claimed by `owner`, a nameless
 * writer (`owner` null) leaves the owner as it is, and a row another application owns is never written. With
 * `update`, an existing row takes the new settings; without, it is kept. Returns the row written or kept; the caller
 * compares its owner. No row: a concurrent registration committed after this statement's snapshot; run it again.
 */
export function registerQueueStatement(
  ctx: SqlContext,
  name: string,
  settings: QueueColumns,
  owner: string | null,
  update: boolean,
): Query<RegisteredRow> {
  const { schema } = ctx;
  const params: SqlParam[] = [name];
  const param = binder(params);
  const columns = settingColumns(ctx);
  const values = columns.map((c) => `${param(settings[c])}${c.endsWith('_sec') ? '::float8' : '::int4'}`);
  const ownerParam = `${param(owner)}::text`;
  const partitionFlag = hasPartitionLimits(ctx) ? `(${partitioned('v')})` : 'FALSE';
  const onConflict = update
    ? `DO UPDATE SET ${columns.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, partition_queue = EXCLUDED.partition_queue,
         updated_at = EXCLUDED.updated_at, application_name = COALESCE(q.application_name, EXCLUDED.application_name)
       WHERE q.application_name IS NULL OR EXCLUDED.application_name IS NULL OR q.application_name = EXCLUDED.application_name`
    : 'DO NOTHING';
  return {
    text: `WITH v AS (SELECT ${columns.map((c, i) => `${values[i]} AS ${c}`).join(', ')}),
      ins AS (
        INSERT INTO ${schema}.queues AS q (name, ${columns.join(', ')}, priority_enabled, partition_queue, updated_at, application_name)
        -- priority_enabled TRUE, as the TS SDK writes it: every queue dispatches in priority order.
        SELECT $1, ${columns.map((c) => `v.${c}`).join(', ')}, TRUE, ${partitionFlag}, ${NOW_MS}, ${ownerParam} FROM v
        WHERE NOT EXISTS (
          SELECT 1 FROM ${schema}.queues o WHERE o.name = $1 AND o.application_name IS NOT NULL
            AND ${ownerParam} IS NOT NULL AND o.application_name <> ${ownerParam}
        )
        ON CONFLICT (name) ${onConflict}
        RETURNING ${selectList(ctx, 'q')}
      )
      SELECT 'written' AS outcome, ins.* FROM ins
      UNION ALL
      SELECT 'kept', ${selectList(ctx, 'k')} FROM ${schema}.queues k WHERE k.name = $1 AND NOT EXISTS (SELECT 1 FROM ins)`,
    params,
  };
}

export function getQueueStatement(ctx: SqlContext, name: string): Query<QueueRow> {
  return { text: `SELECT ${selectList(ctx, 'q')} FROM ${ctx.schema}.queues q WHERE q.name = $1`, params: [name] };
}

/** Queues owned by these applications plus unclaimed ones (every queue when `owners` is undefined), by name. */
export function listQueuesStatement(ctx: SqlContext, owners: readonly string[] | undefined): Query<QueueRow> {
  const scope = owners === undefined ? '' : 'WHERE q.application_name = ANY($1::text[]) OR q.application_name IS NULL';
  return {
    text: `SELECT ${selectList(ctx, 'q')} FROM ${ctx.schema}.queues q ${scope} ORDER BY q.name`,
    params: owners === undefined ? [] : [textArray(owners)],
  };
}

export function deleteQueueStatement(ctx: SqlContext, name: string): Query {
  return { text: `DELETE FROM ${ctx.schema}.queues WHERE name = $1`, params: [name] };
}

/** The queue's settings after an update, and whether it was written (false: a limit bound would be broken). */
export interface UpdatedRow extends QueueRow {
  readonly updated: boolean;
}

/**
 * Changes some settings of a queue in one statement, only if the limits still respect `LIMIT_BOUNDS` with the
 * values stored now (the row is locked, so a concurrent change cannot slip between check and write). Returns the
 * row as it would be; `updated` false means a bound was broken and nothing changed. No row: no such queue.
 */
export function updateQueueStatement(
  ctx: SqlContext,
  name: string,
  changes: Partial<Record<QueueColumn, number | null>>,
): Query<UpdatedRow> {
  const { schema } = ctx;
  const params: SqlParam[] = [name];
  const param = binder(params);
  const merged = settingColumns(ctx).map((c) => {
    const value = changes[c];
    const cast = c.endsWith('_sec') ? '::float8' : '::int4';
    return `${value === undefined ? `cur.${c}` : `${param(value)}${cast}`} AS ${c}`;
  });
  const bounds = hasPartitionLimits(ctx)
    ? LIMIT_BOUNDS
    : LIMIT_BOUNDS.filter(([low, high]) => !low.startsWith('partition_') && !high.startsWith('partition_'));
  const respected = bounds.map(([low, high]) => `(n.${low} IS NULL OR n.${high} IS NULL OR n.${low} <= n.${high})`);
  const partitionFlag = hasPartitionLimits(ctx) ? `, partition_queue = (${partitioned('n')})` : '';
  return {
    text: `WITH cur AS (SELECT * FROM ${schema}.queues WHERE name = $1 FOR UPDATE),
      n AS (SELECT cur.name, cur.application_name, ${merged.join(', ')} FROM cur),
      upd AS (
        UPDATE ${schema}.queues q SET ${settingColumns(ctx)
          .map((c) => `${c} = n.${c}`)
          .join(', ')}${partitionFlag}, updated_at = ${NOW_MS}
        FROM n WHERE q.name = n.name AND ${respected.join(' AND ')}
        RETURNING q.name
      )
      SELECT ${selectList(ctx, 'n')}, EXISTS (SELECT 1 FROM upd) AS updated FROM n`,
    params,
  };
}
