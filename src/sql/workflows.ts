/**
 * The workflow statements. Each client operation is exactly one statement (CTEs where it writes several
 * tables), so it costs one round trip on any driver and can never be half-applied.
 */
import type { Row, SqlParam } from '../driver.ts';
import {
  ACTIVE,
  binder,
  COMPLETED,
  FINAL,
  INTERNAL_QUEUE,
  intArray,
  NOW_MS,
  payloads,
  type Query,
  RESUMABLE,
  type SqlContext,
  STATUS_COLUMNS,
  type StatusRow,
  textArray,
} from './base.ts';
import { filterConditions, type ListFilter } from './filter.ts';

/** The ID of a workflow a statement found or changed. */
export interface IdRow extends Row {
  readonly workflow_uuid: string;
}

export interface EnqueueRow {
  readonly workflowID: string;
  readonly status: 'ENQUEUED' | 'DELAYED';
  readonly name: string;
  readonly className: string | null;
  readonly configName: string | null;
  readonly queueName: string;
  readonly appVersion: string | null;
  readonly authenticatedUser: string | null;
  readonly authenticatedRoles: string | null;
  readonly timeoutMs: number | null;
  readonly deduplicationID: string | null;
  readonly priority: number;
  readonly inputs: string;
  readonly serialization: string;
  readonly partitionKey: string | null;
  readonly delayMs: number | null;
  readonly attributes: string | null;
  readonly applicationName: string | null;
  readonly creatorXid: string;
}

/**
 * Inserts queued workflows, or reports why not, in one statement for any number of rows (all or nothing).
 * `ON CONFLICT DO NOTHING` (no target) covers both the primary key and the partial dedup index, so nothing raises;
 * each row, by its position `n`, gets one of:
 * - `inserted`;
 * - `existing`: the workflow ID is taken (its name, class, config and creator are returned to check for conflict);
 * - `deduplicated`: another active workflow holds the queue's deduplication ID (its ID is returned);
 * - no outcome: the conflicting row was committed after this statement's snapshot (or by another row of the same
 *   statement): run that row again.
 * The rows must have distinct workflow IDs.
 *
 * Inputs go to the row's own (legacy) `inputs` column on every schema version, never to `workflow_input`: every
 * reader that knows that table (DBOS 5.3 and newer Python) reads `COALESCE(workflow_input.inputs, inputs)`, and
 * Python ≤ 2.30 workers read only the column, so one write serves them all. A second insert, into another table
 * keyed by random IDs, cost a fifth of a 5000-row batch's server time. Fork and the schedule tick write the same way.
 */
/** One enqueued row's outcome, by its position `n` (1-based) in the request. */
export interface EnqueueOutcomeRow extends Row {
  readonly n: number;
  readonly outcome: 'inserted' | 'existing' | 'deduplicated' | null;
  readonly workflow_uuid: string | null;
  readonly name: string | null;
  readonly class_name: string | null;
  readonly config_name: string | null;
  readonly creator_xid: string | null;
}

export function enqueueStatement(ctx: SqlContext, rows: readonly EnqueueRow[]): Query<EnqueueOutcomeRow> {
  const { schema, features } = ctx;
  const xid = features.creatorXid;
  // The padding column keeps the plan cached. Postgres plans a prepared statement afresh for its parameters (a custom
  // plan) unless its generic plan is estimated no dearer, and it sizes `unnest` of an array it can see by the array's
  // length but of a parameter as 10 rows: the custom plan of a small batch always looked cheaper, so every enqueue paid
  // a full planning (about half a millisecond, more than the insert). With `generate_series(1, 10)` beside them the
  // rows are estimated as at least 10 either way, the generic plan wins after five executions, and planning drops to
  // a lookup. The padding rows past the batch have no ID and are filtered out; `n` still numbers the batch from 1.
  const text = `WITH req AS (
    SELECT * FROM ROWS FROM (unnest($1::text[]), unnest($2::text[]), unnest($3::text[]), unnest($4::text[]),
      unnest($5::text[]), unnest($6::text[]), unnest($7::text[]), unnest($8::text[]), unnest($9::text[]),
      unnest($10::bigint[]), unnest($11::text[]), unnest($12::int4[]), unnest($13::text[]), unnest($14::text[]),
      unnest($15::text[]), unnest($16::bigint[]), unnest($17::text[]), unnest($18::text[]), unnest($19::text[]),
      generate_series(1, 10))
      WITH ORDINALITY AS r(id, status, name, class_name, config_name, queue_name, app_version, auth_user, auth_roles,
        timeout_ms, dedup_id, priority, inputs, serialization, partition_key, delay_ms, attributes, app_name, creator,
        padding, n)
    WHERE r.id IS NOT NULL
  ), ins AS (
    INSERT INTO ${schema}.workflow_status (workflow_uuid, status, name, class_name, config_name, queue_name, application_version,
      authenticated_user, authenticated_roles, recovery_attempts, workflow_timeout_ms, deduplication_id, priority, inputs,
      serialization, queue_partition_key, delay_until_epoch_ms, attributes, application_name, created_at, updated_at${xid ? ', creator_xid' : ''})
    SELECT r.id, r.status, r.name, r.class_name, r.config_name, r.queue_name, r.app_version, r.auth_user, r.auth_roles, 0,
      r.timeout_ms, r.dedup_id, r.priority, r.inputs, r.serialization, r.partition_key,
      CASE WHEN r.delay_ms IS NULL THEN NULL ELSE ${NOW_MS} + r.delay_ms END, r.attributes::jsonb, r.app_name,
      ${NOW_MS}, ${NOW_MS}${xid ? ', r.creator' : ''}
    FROM req r ORDER BY r.n
    ON CONFLICT DO NOTHING
    RETURNING workflow_uuid
  )
  -- Per-row lookups (LATERAL): a join of the request with the table would be planned for the whole table.
  SELECT r.n,
    CASE WHEN r.inserted THEN 'inserted' WHEN e.workflow_uuid IS NOT NULL THEN 'existing'
         WHEN d.workflow_uuid IS NOT NULL THEN 'deduplicated' END AS outcome,
    COALESCE(e.workflow_uuid, d.workflow_uuid) AS workflow_uuid, COALESCE(e.name, d.name) AS name,
    COALESCE(e.class_name, d.class_name) AS class_name, COALESCE(e.config_name, d.config_name) AS config_name,
    e.creator_xid
  FROM (SELECT q.*, q.id IN (SELECT workflow_uuid FROM ins) AS inserted FROM req q) r
  LEFT JOIN LATERAL (
    SELECT x.workflow_uuid, x.name, x.class_name, x.config_name, ${xid ? 'x.creator_xid' : 'NULL::text AS creator_xid'}
    FROM ${schema}.workflow_status x WHERE NOT r.inserted AND x.workflow_uuid = r.id
    LIMIT 1 -- keeps it a per-row primary-key probe: never a join planned over the whole table
  ) e ON true
  LEFT JOIN LATERAL (
    SELECT h.workflow_uuid, h.name, h.class_name, h.config_name FROM ${schema}.workflow_status h
    WHERE NOT r.inserted AND e.workflow_uuid IS NULL AND r.dedup_id IS NOT NULL
      AND h.queue_name = r.queue_name AND h.deduplication_id = r.dedup_id AND h.workflow_uuid <> r.id
    LIMIT 1
  ) d ON true
  ORDER BY r.n`;
  const texts = (f: (r: EnqueueRow) => string | null) => textArray(rows.map(f));
  const numbers = (f: (r: EnqueueRow) => number | null) => intArray(rows.map(f));
  return {
    text,
    params: [
      texts((r) => r.workflowID),
      texts((r) => r.status),
      texts((r) => r.name),
      texts((r) => r.className),
      texts((r) => r.configName),
      texts((r) => r.queueName),
      texts((r) => r.appVersion),
      texts((r) => r.authenticatedUser),
      texts((r) => r.authenticatedRoles),
      numbers((r) => r.timeoutMs),
      texts((r) => r.deduplicationID),
      numbers((r) => r.priority),
      texts((r) => r.inputs),
      texts((r) => r.serialization),
      texts((r) => r.partitionKey),
      numbers((r) => r.delayMs),
      texts((r) => r.attributes),
      texts((r) => r.applicationName),
      texts((r) => r.creatorXid),
    ],
  };
}

/** One workflow's status row with its payloads. */
export function getStatusStatement(ctx: SqlContext, workflowID: string): Query<StatusRow> {
  const p = payloads(ctx, true, true);
  return {
    text: `SELECT ${STATUS_COLUMNS}${p.columns} FROM ${ctx.schema}.workflow_status ws ${p.joins} WHERE ws.workflow_uuid = $1`,
    params: [workflowID],
  };
}

/** A finished workflow's outcome. */
export type FinishedRow = Pick<StatusRow, 'workflow_uuid' | 'status' | 'serialization' | 'output' | 'error'>;

/** The finished workflows among `ids`, with what `getResult` needs: one indexed lookup for every waiter of a client. */
export function finishedStatement(ctx: SqlContext, ids: readonly string[]): Query<FinishedRow> {
  const p = payloads(ctx, false, true);
  return {
    text: `SELECT ws.workflow_uuid, ws.status, ws.serialization${p.columns} FROM ${ctx.schema}.workflow_status ws ${p.joins}
      WHERE ws.workflow_uuid = ANY($1::text[]) AND ws.status NOT IN ${ACTIVE}`,
    params: [textArray(ids)],
  };
}

/** The IDs (and, with `children`, all their descendants) as a CTE named `target`; `found` counts the given IDs that exist. */
function targetCte(schema: string, children: boolean): string {
  return children
    ? `WITH RECURSIVE target AS (
        SELECT workflow_uuid FROM ${schema}.workflow_status WHERE workflow_uuid = ANY($1::text[])
        UNION
        SELECT c.workflow_uuid FROM ${schema}.workflow_status c JOIN target t ON c.parent_workflow_id = t.workflow_uuid
      ), found AS (SELECT count(*) AS n FROM ${schema}.workflow_status WHERE workflow_uuid = ANY($1::text[]))`
    : `WITH target AS (SELECT workflow_uuid FROM ${schema}.workflow_status WHERE workflow_uuid = ANY($1::text[])),
      found AS (SELECT count(*) AS n FROM target)`;
}

/**
 * Cancels workflows that have not finished (as both SDKs do: CANCELLED, off the queue, dedup slot released),
 * only if every given ID exists. Returns the IDs that exist; the caller reports the missing ones.
 */
export function cancelStatement(ctx: SqlContext, ids: readonly string[], children: boolean): Query<IdRow> {
  const { schema } = ctx;
  return {
    text: `${targetCte(schema, children)},
      upd AS (
        UPDATE ${schema}.workflow_status SET status = 'CANCELLED', owner_xid = NULL, queue_name = NULL, deduplication_id = NULL,
          started_at_epoch_ms = NULL, updated_at = ${NOW_MS}, completed_at = ${NOW_MS}
        WHERE workflow_uuid IN (SELECT workflow_uuid FROM target) AND status NOT IN ${COMPLETED}
          AND (SELECT n FROM found) = cardinality($1::text[])
        RETURNING 1
      )
      SELECT workflow_uuid FROM ${schema}.workflow_status WHERE workflow_uuid = ANY($1::text[])`,
    params: [textArray(ids)],
  };
}

/**
 * Re-enqueues unfinished workflows under the same ID (on `queueName`, else the internal queue every app polls),
 * resetting recovery attempts, deadline and dedup slot; only if every given ID exists.
 */
export function resumeStatement(ctx: SqlContext, ids: readonly string[], queueName: string | undefined): Query<IdRow> {
  const { schema } = ctx;
  return {
    text: `${targetCte(schema, false)},
      upd AS (
        UPDATE ${schema}.workflow_status SET status = 'ENQUEUED', owner_xid = NULL, queue_name = $2, recovery_attempts = 0,
          workflow_deadline_epoch_ms = NULL, deduplication_id = NULL, started_at_epoch_ms = NULL,
          updated_at = ${NOW_MS}, completed_at = NULL
        WHERE workflow_uuid IN (SELECT workflow_uuid FROM target) AND status NOT IN ${COMPLETED}
          AND (SELECT n FROM found) = cardinality($1::text[])
        RETURNING 1
      )
      SELECT workflow_uuid FROM target`,
    params: [textArray(ids), queueName ?? INTERNAL_QUEUE],
  };
}

export interface ForkParams {
  readonly originalID: string;
  readonly newID: string;
  readonly startStep: number;
  readonly applicationVersion: string | null;
  readonly timeoutMs: number | null;
  readonly queueName: string | null;
  readonly partitionKey: string | null;
  /** JSON object text mapping old child workflow IDs to new ones, or null. */
  readonly replacementChildren: string | null;
  /** The client's application, owning the fork when the original is unclaimed. */
  readonly applicationName: string | null;
}

/**
 * Forks a workflow in one statement: a new ENQUEUED row copying the original's identity and inputs, the
 * original marked `was_forked_from`, and the checkpoints before `startStep` copied (step outputs, event history,
 * the latest value of each event, stream entries) so only steps ≥ `startStep` run again. Returns `found` and
 * `inserted` (0 when the new ID is taken).
 */
export function forkStatement(ctx: SqlContext, f: ForkParams): Query<{ found: number; inserted: number }> {
  const { schema, features } = ctx;
  const input = features.payloadTables ? 'COALESCE(wi.inputs, o.inputs)' : 'o.inputs';
  const inputJoin = features.payloadTables
    ? `LEFT JOIN ${schema}.workflow_input wi ON wi.workflow_uuid = o.workflow_uuid`
    : '';
  const text = `WITH src AS (
      SELECT o.*, ${input} AS payload FROM ${schema}.workflow_status o ${inputJoin} WHERE o.workflow_uuid = $1
    ), ins AS (
      INSERT INTO ${schema}.workflow_status (workflow_uuid, status, name, class_name, config_name, queue_name, authenticated_user,
        assumed_role, authenticated_roles, application_version, application_id, inputs, queue_partition_key, forked_from,
        serialization, attributes, application_name, workflow_timeout_ms, recovery_attempts, priority, created_at, updated_at)
      SELECT $2, 'ENQUEUED', name, class_name, config_name, COALESCE($5, '${INTERNAL_QUEUE}'), authenticated_user,
        assumed_role, authenticated_roles, COALESCE($3, application_version), application_id, payload, $6, workflow_uuid,
        serialization, attributes, COALESCE(application_name, $8), $4::bigint, 0, 0, ${NOW_MS}, ${NOW_MS}
      FROM src
      ON CONFLICT DO NOTHING
      RETURNING workflow_uuid, application_name
    ), mark AS (
      UPDATE ${schema}.workflow_status SET was_forked_from = TRUE WHERE workflow_uuid = $1 AND EXISTS (SELECT 1 FROM ins)
    ), steps AS (
      INSERT INTO ${schema}.operation_outputs (workflow_uuid, function_id, output, error, serialization, function_name,
        child_workflow_id, started_at_epoch_ms, completed_at_epoch_ms, application_name)
      SELECT ins.workflow_uuid, oo.function_id, oo.output, oo.error, oo.serialization, oo.function_name,
        COALESCE($7::text::jsonb ->> oo.child_workflow_id, oo.child_workflow_id), oo.started_at_epoch_ms,
        oo.completed_at_epoch_ms, ins.application_name
      FROM ins JOIN ${schema}.operation_outputs oo ON oo.workflow_uuid = $1 AND oo.function_id < $9::int4
    ), history AS (
      INSERT INTO ${schema}.workflow_events_history (workflow_uuid, function_id, key, value, serialization)
      SELECT ins.workflow_uuid, h.function_id, h.key, h.value, h.serialization
      FROM ins JOIN ${schema}.workflow_events_history h ON h.workflow_uuid = $1 AND h.function_id < $9::int4
    ), events AS (
      INSERT INTO ${schema}.workflow_events (workflow_uuid, key, value, serialization)
      SELECT DISTINCT ON (h.key) ins.workflow_uuid, h.key, h.value, h.serialization
      FROM ins JOIN ${schema}.workflow_events_history h ON h.workflow_uuid = $1 AND h.function_id < $9::int4
      ORDER BY h.key, h.function_id DESC
    ), streams AS (
      INSERT INTO ${schema}.streams (workflow_uuid, key, value, "offset", function_id, serialization)
      SELECT ins.workflow_uuid, st.key, st.value, st."offset", st.function_id, st.serialization
      FROM ins JOIN ${schema}.streams st ON st.workflow_uuid = $1 AND st.function_id < $9::int4
    )
    SELECT (SELECT count(*) FROM src) AS found, (SELECT count(*) FROM ins) AS inserted`;
  return {
    text,
    params: [
      f.originalID,
      f.newID,
      f.applicationVersion,
      f.timeoutMs,
      f.queueName,
      f.partitionKey,
      f.replacementChildren,
      f.applicationName,
      f.startStep,
    ],
  };
}

/** A step checkpoint; `found` is whether the workflow exists (one row of nulls when it has no steps). */
export interface StepRow extends Row {
  readonly found: boolean;
  readonly function_id: number | null;
  readonly function_name: string | null;
  readonly output: string | null;
  readonly error: string | null;
  readonly child_workflow_id: string | null;
  readonly started_at_epoch_ms: number | null;
  readonly completed_at_epoch_ms: number | null;
  readonly serialization: string | null;
}

/** A workflow's steps, in order, plus whether the workflow exists (one row with nulls when it has no steps). */
export function stepsStatement(
  ctx: SqlContext,
  workflowID: string,
  page: { limit?: number; offset?: number; loadOutput?: boolean },
): Query<StepRow> {
  const { schema } = ctx;
  // Without outputs, none are sent: a step's output can be large.
  const outputs = page.loadOutput === false ? 'NULL::text AS output, NULL::text AS error' : 'o.output, o.error';
  return {
    text: `SELECT ws.workflow_uuid IS NOT NULL AS found, o.function_id, o.function_name, ${outputs},
        o.child_workflow_id, o.started_at_epoch_ms, o.completed_at_epoch_ms, o.serialization
      FROM (SELECT 1) one
      LEFT JOIN ${schema}.workflow_status ws ON ws.workflow_uuid = $1
      LEFT JOIN LATERAL (
        SELECT * FROM ${schema}.operation_outputs WHERE workflow_uuid = $1 ORDER BY function_id LIMIT $2::int8 OFFSET $3::int8
      ) o ON ws.workflow_uuid IS NOT NULL
      ORDER BY o.function_id`,
    params: [workflowID, page.limit ?? null, page.offset ?? 0],
  };
}

/**
 * Deletes workflows by ID (with `children`, every descendant too), whatever their status, as the TS SDK's
 * `deleteWorkflows` does. IDs that do not exist are skipped. Returns the IDs deleted.
 */
export function deleteStatement(ctx: SqlContext, ids: readonly string[], children: boolean): Query<IdRow> {
  return { text: `${targetCte(ctx.schema, children)}${deleteTarget(ctx)}`, params: [textArray(ids)] };
}

/**
 * Deletes the workflows of the CTE `target` as DBOS 5.3.0 does: the payload tables and steps explicitly (they have
 * no cascading key), then the status rows, whose messages, events and streams cascade. Returns the IDs deleted.
 */
function deleteTarget({ schema, features }: SqlContext): string {
  const payloadTables = features.payloadTables
    ? `, di AS (DELETE FROM ${schema}.workflow_input d USING target WHERE d.workflow_uuid = target.workflow_uuid)
       , dout AS (DELETE FROM ${schema}.workflow_output d USING target WHERE d.workflow_uuid = target.workflow_uuid)`
    : '';
  return `${payloadTables}
      , steps AS (DELETE FROM ${schema}.operation_outputs d USING target WHERE d.workflow_uuid = target.workflow_uuid)
      DELETE FROM ${schema}.workflow_status w USING target WHERE w.workflow_uuid = target.workflow_uuid RETURNING w.workflow_uuid`;
}

export type BulkAction = 'cancel' | 'resume' | 'delete';

/** Which workflows each bulk action takes: it changes them so they no longer match, so every batch makes progress. */
const BULK_STATUSES: Record<BulkAction, string> = {
  cancel: ACTIVE,
  resume: RESUMABLE,
  delete: FINAL,
};

/**
 * One batch of a bulk cancel, resume or delete by filter: up to `batchSize` matching workflows, in one statement
 * (so one transaction). No ORDER BY: sorting every remaining match per batch would make a large job quadratic. Returns the IDs it changed; zero rows means done. Rows a DBOS worker holds
 * are waited for, not skipped, so nothing matching is left behind.
 */
export function bulkStatement(
  ctx: SqlContext,
  action: BulkAction,
  f: ListFilter,
  batchSize: number,
  queueName?: string,
): Query<IdRow> {
  const { schema } = ctx;
  const params: SqlParam[] = [];
  const param = binder(params);
  const where = [...filterConditions(f, params), `ws.status IN ${BULK_STATUSES[action]}`];
  const target = `WITH target AS (
      SELECT ws.workflow_uuid FROM ${schema}.workflow_status ws WHERE ${where.join(' AND ')}
      LIMIT ${param(batchSize)}::int8 FOR UPDATE
    )`;
  if (action === 'cancel') {
    return {
      text: `${target}
        UPDATE ${schema}.workflow_status w SET status = 'CANCELLED', owner_xid = NULL, queue_name = NULL, deduplication_id = NULL,
          started_at_epoch_ms = NULL, updated_at = ${NOW_MS}, completed_at = ${NOW_MS}
        FROM target WHERE w.workflow_uuid = target.workflow_uuid RETURNING w.workflow_uuid`,
      params,
    };
  }
  if (action === 'resume') {
    return {
      text: `${target}
        UPDATE ${schema}.workflow_status w SET status = 'ENQUEUED', owner_xid = NULL, queue_name = ${param(queueName ?? INTERNAL_QUEUE)},
          recovery_attempts = 0, workflow_deadline_epoch_ms = NULL, deduplication_id = NULL, started_at_epoch_ms = NULL,
          updated_at = ${NOW_MS}, completed_at = NULL
        FROM target WHERE w.workflow_uuid = target.workflow_uuid RETURNING w.workflow_uuid`,
      params,
    };
  }
  return { text: `${target}${deleteTarget(ctx)}`, params };
}
