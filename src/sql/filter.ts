/**
 * The filters of a listing (and of a bulk action by filter) as WHERE conditions: only those given, each
 * parameterised.
 */
import type { SqlParam } from '../driver.ts';
import type { WorkflowStatusString } from '../status.ts';
import { ACTIVE, binder, likePrefix, textArray } from './base.ts';

export interface ListFilter {
  readonly workflowIDs?: readonly string[];
  readonly names?: readonly string[];
  readonly statuses?: readonly WorkflowStatusString[];
  readonly createdFrom?: number;
  readonly createdTo?: number;
  readonly completedFrom?: number;
  readonly completedTo?: number;
  readonly dequeuedFrom?: number;
  readonly dequeuedTo?: number;
  readonly users?: readonly string[];
  readonly versions?: readonly string[];
  readonly executors?: readonly string[];
  readonly idPrefixes?: readonly string[];
  readonly queues?: readonly string[];
  readonly queuesOnly?: boolean;
  readonly forkedFrom?: readonly string[];
  readonly wasForkedFrom?: boolean;
  readonly isFork?: boolean;
  readonly parents?: readonly string[];
  readonly hasParent?: boolean;
  /** JSON object text for JSONB containment. */
  readonly attributes?: string;
  readonly schedules?: readonly string[];
  /** Owning applications; `includeUnclaimed` adds rows no application has claimed yet. */
  readonly applications?: readonly string[];
  readonly includeUnclaimed?: boolean;
  readonly limit?: number;
  readonly offset?: number;
  readonly sortDesc: boolean;
  readonly loadInput: boolean;
  readonly loadOutput: boolean;
  /** Order by (created_at, workflow_uuid), for cursor paging. */
  readonly keyset?: boolean;
  /** Start strictly after this row (in the sort direction). */
  readonly after?: { readonly createdAt: number; readonly id: string };
}

/** The WHERE conditions of a filter (only those given), appending their values to `params`. */
export function filterConditions(f: ListFilter, params: SqlParam[], cursorUnseen = false): string[] {
  const where: string[] = [];
  const param = binder(params);
  const anyOf = (column: string, values: readonly string[] | undefined) => {
    if (values) where.push(`${column} = ANY(${param(textArray(values))}::text[])`);
  };
  const range = (column: string, from: number | undefined, to: number | undefined) => {
    if (from !== undefined) where.push(`${column} >= ${param(from)}::bigint`);
    if (to !== undefined) where.push(`${column} <= ${param(to)}::bigint`);
  };
  const flag = (cond: boolean | undefined, yes: string, no: string) => {
    if (cond !== undefined) where.push(cond ? yes : no);
  };

  anyOf('ws.workflow_uuid', f.workflowIDs);
  anyOf('ws.name', f.names);
  anyOf('ws.status', f.statuses);
  range('ws.created_at', f.createdFrom, f.createdTo);
  range('ws.completed_at', f.completedFrom, f.completedTo);
  range('ws.started_at_epoch_ms', f.dequeuedFrom, f.dequeuedTo);
  anyOf('ws.authenticated_user', f.users);
  anyOf('ws.application_version', f.versions);
  anyOf('ws.executor_id', f.executors);
  if (f.idPrefixes) {
    where.push(`(${f.idPrefixes.map((p) => `ws.workflow_uuid LIKE ${param(likePrefix(p))}`).join(' OR ')})`);
  }
  anyOf('ws.queue_name', f.queues);
  // As in the SDK: "queued" means on a queue and unfinished; a status filter narrows that further.
  if (f.queuesOnly) where.push(`ws.queue_name IS NOT NULL AND ws.status IN ${ACTIVE}`);
  anyOf('ws.forked_from', f.forkedFrom);
  flag(f.wasForkedFrom, 'ws.was_forked_from', 'NOT ws.was_forked_from');
  flag(f.isFork, 'ws.forked_from IS NOT NULL', 'ws.forked_from IS NULL');
  anyOf('ws.parent_workflow_id', f.parents);
  flag(f.hasParent, 'ws.parent_workflow_id IS NOT NULL', 'ws.parent_workflow_id IS NULL');
  if (f.attributes !== undefined) where.push(`ws.attributes @> ${param(f.attributes)}::text::jsonb`);
  anyOf('ws.schedule_name', f.schedules);
  if (f.applications) {
    const owned = `ws.application_name = ANY(${param(textArray(f.applications))}::text[])`;
    where.push(f.includeUnclaimed ? `(${owned} OR ws.application_name IS NULL)` : owned);
  }
  if (f.after) {
    // Keyset: strictly past the cursor's (created_at, workflow_uuid), written so the created_at index bounds the scan.
    // `cursorUnseen` hides the time from the planner (a one-row InitPlan is still an index bound): its estimate of
    // "rows past the cursor" then stays generic instead of trusting a histogram that knows nothing of a fresh burst.
    const time = `${param(f.after.createdAt)}::bigint`;
    const c = cursorUnseen ? `(SELECT ${time})` : time;
    const id = param(f.after.id);
    const cmp = f.sortDesc ? '<' : '>';
    where.push(`ws.created_at ${cmp}= ${c} AND (ws.created_at ${cmp} ${c} OR ws.workflow_uuid ${cmp} ${id})`);
  }
  return where;
}
