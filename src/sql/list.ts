/**
 * `listWorkflows` / `listQueuedWorkflows`: one SELECT, newest or oldest first by `created_at` (and by ID among
 * equal times when paging by cursor, so pages never skip or repeat a row).
 *
 * A page of queued workflows is read through DBOS's own `idx_workflow_status_in_flight_v2`
 * (queue_name, status, priority, created_at). That index orders by time only within one (queue, status, priority)
 * group, so a plain `ORDER BY created_at` cannot use it and scans the table by time instead: 250 ms for the first
 * page of a 100k backlog among 1M rows. The walk finds the groups by skip scan (one index probe each), takes the
 * page's worth from each group in index order, and merges them; it reads at most (groups × page) index entries.
 */
import type { Row, SqlParam } from '../driver.ts';
import { ACTIVE_STATUSES, type WorkflowStatusString } from '../status.ts';
import {
  binder,
  payloads,
  type Query,
  type SqlContext,
  STATUS_COLUMNS,
  type StatusRow,
  statusList,
  textArray,
} from './base.ts';
import { filterConditions, type ListFilter } from './filter.ts';

/** The statuses `idx_workflow_status_in_flight_v2` holds (its partial-index predicate, written out literally). */
const IN_FLIGHT: readonly WorkflowStatusString[] = ['ENQUEUED', 'PENDING'];
const IN_FLIGHT_SQL = `ws.status IN ${statusList(IN_FLIGHT)}`;
/**
 * Past this many (queue, status, priority) groups the walk stops and a plain scan by time answers instead (slower,
 * never wrong). The bound also keeps the planner's estimate small: an unbounded recursive CTE is costed at hundreds
 * of groups, which crosses `jit_above_cost` and adds ~20 ms of JIT compilation to every page.
 */
const MAX_GROUPS = 64;

export function listStatement(ctx: SqlContext, f: ListFilter): Query<StatusRow> {
  const params: SqlParam[] = [];
  const param = binder(params);
  const dir = f.sortDesc ? 'DESC' : 'ASC';
  const order = f.keyset ? `ws.created_at ${dir}, ws.workflow_uuid ${dir}` : `ws.created_at ${dir}`;
  const limit = () => (f.limit === undefined ? '' : ` LIMIT ${param(f.limit)}::int8`);
  const offset = () => (f.offset === undefined ? '' : ` OFFSET ${param(f.offset)}::int8`);
  const statuses = walkStatuses(f);
  let page: string;
  // Only a page is walked: a whole listing reads every match anyway.
  if (f.limit !== undefined && statuses) {
    // The walk picks the page's IDs from narrow rows; the page's own rows are then read by primary key.
    const picked = walk(ctx, f, statuses, dir, order, param(f.limit + (f.offset ?? 0)), params);
    page = `FROM (SELECT ws.workflow_uuid FROM ${picked} ORDER BY ${order}${limit()}${offset()}) pick
      JOIN ${ctx.schema}.workflow_status ws ON ws.workflow_uuid = pick.workflow_uuid ORDER BY ${order}`;
  } else {
    const where = filterConditions(f, params);
    page = `FROM ${ctx.schema}.workflow_status ws`;
    if (where.length > 0) page += ` WHERE ${where.join(' AND ')}`;
    page += ` ORDER BY ${order}${limit()}${offset()}`;
  }
  const p = payloads(ctx, f.loadInput, f.loadOutput);
  // Payloads are joined to the page only, not to every row an OFFSET skips.
  const text = p.joins
    ? `SELECT ${STATUS_COLUMNS}${p.columns} FROM (SELECT ws.* ${page}) ws ${p.joins} ORDER BY ${order}`
    : `SELECT ${STATUS_COLUMNS}${p.columns} ${page}`;
  return { text, params };
}

/**
 * The statuses a listing may hold, when the walk can serve it: workflows on a queue, in active statuses only, at
 * least one of them in the index. Otherwise undefined.
 */
function walkStatuses(f: ListFilter): WorkflowStatusString[] | undefined {
  if (f.workflowIDs || !(f.queuesOnly || f.queues)) return undefined;
  const statuses = (f.statuses ?? (f.queuesOnly ? ACTIVE_STATUSES : [])).filter((st) => ACTIVE_STATUSES.includes(st));
  const all = f.statuses === undefined || statuses.length === f.statuses.length;
  return all && statuses.some((st) => IN_FLIGHT.includes(st)) ? statuses : undefined;
}

/**
 * The rows a queued page is picked from, as a subquery `ws` of (workflow_uuid, created_at): the first `take` rows
 * (past the cursor, matching every filter) of each in-flight group, and of DELAYED workflows when those are asked
 * for. A group is cut by time WITH TIES, not by (time, ID): that order is the index's own, so no estimate can talk
 * the planner into sorting the whole group, and the rows tied at the cut are all there for the merge to order by ID.
 */
function walk(
  ctx: SqlContext,
  f: ListFilter,
  statuses: readonly WorkflowStatusString[],
  dir: 'ASC' | 'DESC',
  order: string,
  take: string,
  params: SqlParam[],
): string {
  const param = binder(params);
  const { schema } = ctx;
  const and = (conditions: readonly string[]) => conditions.map((w) => ` AND ${w}`).join('');
  const filters = and(filterConditions(f, params));
  // Within a group its queue and status are fixed; repeating them as `= ANY(…)` would make the planner sort the
  // whole group instead of reading it in index order.
  const inGroup = and(
    filterConditions({ ...f, queues: undefined, statuses: undefined, queuesOnly: false }, params, true),
  );
  // Every queue holding in-flight rows, by skip scan over the index's first column, unless the filter names them.
  const queues = f.queues
    ? `queues(q) AS (SELECT unnest(${param(textArray(f.queues))}::text[]))`
    : `queues(q) AS (
        (SELECT ws.queue_name FROM ${schema}.workflow_status ws WHERE ${IN_FLIGHT_SQL} AND ws.queue_name IS NOT NULL
         ORDER BY ws.queue_name LIMIT 1)
        UNION ALL
        SELECT (SELECT ws.queue_name FROM ${schema}.workflow_status ws WHERE ${IN_FLIGHT_SQL} AND ws.queue_name > queues.q
                ORDER BY ws.queue_name LIMIT 1)
        FROM queues WHERE queues.q IS NOT NULL)`;
  const inFlightParam = param(textArray(statuses.filter((st) => IN_FLIGHT.includes(st))));
  const nextPriority = (q: string, st: string, after: string) =>
    `(SELECT min(ws.priority) FROM ${schema}.workflow_status ws
      WHERE ${IN_FLIGHT_SQL} AND ws.queue_name = ${q} AND ws.status = ${st}${after})`;
  const delayed = statuses.includes('DELAYED')
    ? `UNION ALL (SELECT ws.workflow_uuid, ws.created_at FROM ${schema}.workflow_status ws WHERE ws.status = 'DELAYED'${filters}
        ORDER BY ${order} LIMIT ${take}::int8)`
    : '';
  return `(WITH RECURSIVE ${queues},
    groups(q, st, p) AS (
      SELECT queues.q, st, ${nextPriority('queues.q', 'st', '')}
      FROM queues, unnest(${inFlightParam}::text[]) AS st WHERE queues.q IS NOT NULL
      UNION ALL
      SELECT g.q, g.st, ${nextPriority('g.q', 'g.st', ' AND ws.priority > g.p')} FROM groups g WHERE g.p IS NOT NULL
    ),
    grp AS (SELECT q, st, p FROM groups WHERE p IS NOT NULL LIMIT ${MAX_GROUPS + 1})
    SELECT h.* FROM grp CROSS JOIN LATERAL (
      SELECT ws.workflow_uuid, ws.created_at FROM ${schema}.workflow_status ws
      WHERE ${IN_FLIGHT_SQL} AND ws.queue_name = grp.q AND ws.status = grp.st AND ws.priority = grp.p${inGroup}
      ORDER BY ws.created_at ${dir} FETCH FIRST (${take}::int8) ROWS WITH TIES
    ) h WHERE (SELECT count(*) FROM grp) <= ${MAX_GROUPS}
    -- The plain scan depends on a row that exists only past the bound, so it can only run (and only be planned) as
    -- the inner side of that row's loop: never executed, nor its parallel workers started, below the bound.
    UNION ALL SELECT x.* FROM (SELECT 1 AS one FROM grp OFFSET ${MAX_GROUPS} LIMIT 1) AS over CROSS JOIN LATERAL (
      SELECT ws.workflow_uuid, ws.created_at FROM ${schema}.workflow_status ws
      WHERE over.one = 1 AND ${IN_FLIGHT_SQL}${filters}
      ORDER BY ${order} LIMIT ${take}::int8) x
    ${delayed}
  ) ws`;
}

/** How many unfinished workflows a queue holds in one status. */
export interface QueueCountRow extends Row {
  readonly queue_name: string;
  readonly status: WorkflowStatusString;
  readonly count: number;
}

/**
 * Unfinished workflows per queue and status, counted in one statement; `applications` scopes it as listings are
 * scoped (owned plus unclaimed). Served by the in-flight and delayed partial indexes DBOS keeps.
 */
export function queueCountsStatement(
  ctx: SqlContext,
  applications: readonly string[] | undefined,
): Query<QueueCountRow> {
  const params: SqlParam[] = [];
  const param = binder(params);
  const scope = applications
    ? ` AND (ws.application_name = ANY(${param(textArray(applications))}::text[]) OR ws.application_name IS NULL)`
    : '';
  return {
    text: `SELECT ws.queue_name, ws.status, count(*) AS count FROM ${ctx.schema}.workflow_status ws
      WHERE ws.queue_name IS NOT NULL AND ws.status IN ${statusList(ACTIVE_STATUSES)}${scope}
      GROUP BY ws.queue_name, ws.status ORDER BY ws.queue_name, ws.status`,
    params,
  };
}
