/**
 * Re-owning an application's rows (TS `renameApplication`): what `oldName` holds, what nobody holds, or both, goes
 * to `newName`. What a running application needs together (its queues, schedules, versions and unfinished
 * workflows) moves in one statement; finished workflows and steps, which only scope listings, follow in key ranges.
 */
import type { Row, SqlParam } from '../driver.ts';
import { ACTIVE, binder, type Query, type SqlContext } from './base.ts';

/** Whose rows move: `oldName`'s, the unclaimed ones (`adoptUnclaimed`), or both. */
export interface RenameSource {
  readonly oldName: string | null;
  readonly adoptUnclaimed: boolean;
}

/** The migration that gave each table its `application_name`; on an older schema the table is skipped. */
const OWNED_SINCE = {
  queues: 101,
  workflow_schedules: 102,
  application_versions: 103,
  operation_outputs: 104,
} as const;

/** The rows of `from`, binding `oldName` through `param`. */
function sourceCondition(from: RenameSource, param: (value: SqlParam) => string): string {
  const clauses: string[] = [];
  if (from.oldName !== null) clauses.push(`application_name = ${param(from.oldName)}`);
  if (from.adoptUnclaimed) clauses.push('application_name IS NULL');
  return `(${clauses.join(' OR ')})`;
}

export interface MovedRow extends Row {
  readonly queues: number;
  readonly schedules: number;
  readonly versions: number;
  readonly workflows: number;
}

/** Moves queues, schedules, versions and unfinished workflows in one statement; returns how many of each. */
export function renameLiveStatement(ctx: SqlContext, newName: string, from: RenameSource): Query<MovedRow> {
  const { schema, features } = ctx;
  const params: SqlParam[] = [newName];
  const where = sourceCondition(from, binder(params));
  const move = (table: keyof typeof OWNED_SINCE) =>
    features.version >= OWNED_SINCE[table]
      ? `UPDATE ${schema}.${table} SET application_name = $1 WHERE ${where} RETURNING 1`
      : 'SELECT 1 WHERE false';
  return {
    text: `WITH workflows AS (
        UPDATE ${schema}.workflow_status SET application_name = $1 WHERE ${where} AND status IN ${ACTIVE} RETURNING 1
      ),
      queues AS (${move('queues')}),
      schedules AS (${move('workflow_schedules')}),
      versions AS (${move('application_versions')})
      SELECT (SELECT count(*) FROM queues)::int AS queues, (SELECT count(*) FROM schedules)::int AS schedules,
        (SELECT count(*) FROM versions)::int AS versions, (SELECT count(*) FROM workflows)::int AS workflows`,
    params,
  };
}

/** Whether the schema's `operation_outputs` has an owner to move. */
export function stepsHaveOwner(ctx: SqlContext): boolean {
  return ctx.features.version >= OWNED_SINCE.operation_outputs;
}

/** One batch's result: the rows moved and the key the next batch starts after (null: that was the last batch). */
export interface BatchRow extends Row {
  readonly moved: number;
  readonly upper: string | null;
}

/**
 * One batch of a rename of `workflow_status` or `operation_outputs`, keyed by `workflow_uuid`: the rows whose key lies
 * after `after` up to the `batchSize`-th distinct matching key (a key's rows are never split). A range rather than a
 * LIMIT, so no batch rescans what earlier ones moved. The last batch (fewer keys left) drops the lower bound, so rows
 * that appeared below it since still move.
 */
export function renameBatchStatement(
  ctx: SqlContext,
  table: 'workflow_status' | 'operation_outputs',
  newName: string,
  from: RenameSource,
  after: string | null,
  batchSize: number,
): Query<BatchRow> {
  const params: SqlParam[] = [newName];
  const param = binder(params);
  const where = sourceCondition(from, param);
  const lower = param(after);
  const t = `${ctx.schema}.${table}`;
  return {
    text: `WITH bound AS (
        SELECT DISTINCT workflow_uuid FROM ${t} WHERE ${where} AND (${lower}::text IS NULL OR workflow_uuid > ${lower}::text)
        ORDER BY workflow_uuid LIMIT 1 OFFSET ${param(batchSize - 1)}::int8
      ),
      moved AS (
        UPDATE ${t} SET application_name = $1 WHERE ${where}
          AND (NOT EXISTS (SELECT 1 FROM bound)
               OR ((${lower}::text IS NULL OR workflow_uuid > ${lower}::text) AND workflow_uuid <= (SELECT workflow_uuid FROM bound)))
        RETURNING 1
      )
      SELECT (SELECT count(*) FROM moved)::int AS moved, (SELECT workflow_uuid FROM bound) AS upper`,
    params,
  };
}
