/**
 * Rewinding a finished workflow (TS `rewindWorkflow`): its history from `startStep` on is dropped and it is
 * enqueued again under the same ID, so a replay runs every step from there. One statement, only for a workflow in a
 * final status, as the SDK does:
 * - each event the discarded run published goes back to its last value before the cut (from the events history),
 *   or is unpublished if it had none;
 * - steps and event history from the cut on are deleted, and the stream close markers they wrote (so the replay can
 *   append again; the values stay);
 * - messages consumed from the cut on, and unconsumed ones, are deleted; the stored output too.
 */
import type { Row } from '../driver.ts';
import { ACTIVE, INTERNAL_QUEUE, NOW_MS, type Query, type SqlContext } from './base.ts';
import { STREAM_CLOSED } from './messages.ts';

export interface RewindParams {
  readonly workflowID: string;
  readonly startStep: number;
  readonly applicationVersion: string | null;
  readonly queueName: string | null;
  readonly partitionKey: string | null;
}

/** The workflow's status before the statement (no row: no such workflow) and whether it was rewound. */
export interface RewindRow extends Row {
  readonly status: string;
  readonly rewound: boolean;
}

export function rewindStatement(ctx: SqlContext, r: RewindParams): Query<RewindRow> {
  const { schema, features } = ctx;
  const consumedFromCut = features.consumedByFunctionId ? 'consumed_by_function_id >= $2::int4 OR ' : '';
  const output = features.payloadTables
    ? `, output AS (DELETE FROM ${schema}.workflow_output WHERE workflow_uuid = $1 AND EXISTS (SELECT 1 FROM ok))`
    : '';
  return {
    text: `WITH w AS (SELECT status FROM ${schema}.workflow_status WHERE workflow_uuid = $1 FOR UPDATE),
      ok AS (SELECT 1 FROM w WHERE status NOT IN ${ACTIVE}),
      past AS (
        SELECT DISTINCT key FROM ${schema}.workflow_events_history
        WHERE workflow_uuid = $1 AND function_id >= $2::int4 AND EXISTS (SELECT 1 FROM ok)
      ),
      surviving AS (
        SELECT DISTINCT ON (key) key, value, serialization FROM ${schema}.workflow_events_history
        WHERE workflow_uuid = $1 AND function_id < $2::int4 AND key IN (SELECT key FROM past)
        ORDER BY key, function_id DESC
      ),
      restored AS (
        UPDATE ${schema}.workflow_events e SET value = s.value, serialization = s.serialization
        FROM surviving s WHERE e.workflow_uuid = $1 AND e.key = s.key
      ),
      republished AS (
        INSERT INTO ${schema}.workflow_events (workflow_uuid, key, value, serialization)
        SELECT $1, s.key, s.value, s.serialization FROM surviving s
        WHERE NOT EXISTS (SELECT 1 FROM ${schema}.workflow_events e WHERE e.workflow_uuid = $1 AND e.key = s.key)
      ),
      unpublished AS (
        DELETE FROM ${schema}.workflow_events
        WHERE workflow_uuid = $1 AND key IN (SELECT key FROM past) AND key NOT IN (SELECT key FROM surviving)
      ),
      closers AS (
        DELETE FROM ${schema}.streams WHERE workflow_uuid = $1 AND function_id >= $2::int4
          AND value IN ($6, $7) AND EXISTS (SELECT 1 FROM ok)
      ),
      steps AS (
        DELETE FROM ${schema}.operation_outputs WHERE workflow_uuid = $1 AND function_id >= $2::int4 AND EXISTS (SELECT 1 FROM ok)
      ),
      history AS (
        DELETE FROM ${schema}.workflow_events_history WHERE workflow_uuid = $1 AND function_id >= $2::int4 AND EXISTS (SELECT 1 FROM ok)
      ),
      messages AS (
        DELETE FROM ${schema}.notifications WHERE destination_uuid = $1 AND (${consumedFromCut}consumed = false)
          AND EXISTS (SELECT 1 FROM ok)
      )${output},
      upd AS (
        UPDATE ${schema}.workflow_status SET status = 'ENQUEUED', owner_xid = NULL, queue_name = COALESCE($4, '${INTERNAL_QUEUE}'),
          queue_partition_key = $5, recovery_attempts = 0, workflow_deadline_epoch_ms = NULL, deduplication_id = NULL,
          started_at_epoch_ms = NULL, completed_at = NULL, output = NULL, error = NULL,
          application_version = COALESCE($3, application_version), updated_at = ${NOW_MS}
        WHERE workflow_uuid = $1 AND EXISTS (SELECT 1 FROM ok)
        RETURNING 1
      )
      SELECT w.status, EXISTS (SELECT 1 FROM upd) AS rewound FROM w`,
    params: [
      r.workflowID,
      r.startStep,
      r.applicationVersion,
      r.queueName,
      r.partitionKey,
      STREAM_CLOSED,
      JSON.stringify(STREAM_CLOSED),
    ],
  };
}
