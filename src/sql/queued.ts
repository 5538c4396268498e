/**
 * Changes to a workflow still waiting on its queue (TS `setWorkflowPriority`, `setWorkflowDelay`). As in the SDK, a
 * workflow past that point (dequeued, finished) or missing is left as it is; the statements return the IDs changed.
 */
import { NOW_MS, type Query, type SqlContext } from './base.ts';
import type { IdRow } from './workflows.ts';

/** Sets the priority of an ENQUEUED or DELAYED workflow. */
export function setPriorityStatement(ctx: SqlContext, workflowID: string, priority: number): Query<IdRow> {
  return {
    text: `UPDATE ${ctx.schema}.workflow_status SET priority = $2::int4, updated_at = ${NOW_MS}
      WHERE workflow_uuid = $1 AND status IN ('ENQUEUED', 'DELAYED') RETURNING workflow_uuid`,
    params: [workflowID, priority],
  };
}

/** When a DELAYED workflow may be dequeued: `{ untilMs }` epoch ms, or `{ delayMs }` from now on the database clock. */
export type DelayTarget = { readonly untilMs: number } | { readonly delayMs: number };

/** Moves the time a DELAYED workflow may be dequeued. */
export function setDelayStatement(ctx: SqlContext, workflowID: string, target: DelayTarget): Query<IdRow> {
  const until = 'untilMs' in target ? '$2::bigint' : `${NOW_MS} + $2::bigint`;
  return {
    text: `UPDATE ${ctx.schema}.workflow_status SET delay_until_epoch_ms = ${until}, updated_at = ${NOW_MS}
      WHERE workflow_uuid = $1 AND status = 'DELAYED' RETURNING workflow_uuid`,
    params: [workflowID, 'untilMs' in target ? Math.round(target.untilMs) : Math.round(target.delayMs)],
  };
}
