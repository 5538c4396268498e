/**
 * `workflow_schedules` and the runs they start. Every operation is one statement; firing a schedule inserts all
 * its due runs and advances `last_fired_at` together, so a tick is never half-recorded.
 */
import type { Row, SqlParam } from '../driver.ts';
import {
  binder,
  boolArray,
  INTERNAL_QUEUE,
  likePrefix,
  NOW_MS,
  type Query,
  type SqlContext,
  textArray,
} from './base.ts';

export interface ScheduleRow {
  readonly scheduleID: string;
  readonly scheduleName: string;
  readonly workflowName: string;
  readonly workflowClassName: string | null;
  readonly schedule: string;
  readonly context: string;
  readonly automaticBackfill: boolean;
  readonly cronTimezone: string | null;
  readonly queueName: string | null;
  readonly applicationName: string | null;
}

/** A `workflow_schedules` row as the listing selects it. */
export interface ScheduleRecord extends Row {
  readonly schedule_id: string;
  readonly schedule_name: string;
  readonly workflow_name: string;
  readonly workflow_class_name: string | null;
  readonly schedule: string;
  readonly status: string;
  readonly context: string;
  readonly last_fired_at: string | null;
  readonly automatic_backfill: boolean | null;
  readonly cron_timezone: string | null;
  readonly queue_name: string | null;
  readonly application_name: string | null;
}

const COLUMNS = `schedule_id, schedule_name, workflow_name, workflow_class_name, schedule, status, context, last_fired_at,
  automatic_backfill, cron_timezone, queue_name, application_name`;

/**
 * Inserts the schedules as ACTIVE and never fired. An existing name is skipped (and not returned, so the caller
 * can report the duplicate), or with `upsert` has its definition replaced while its ID, status and
 * `last_fired_at` are kept, as DBOS's `applySchedules` does.
 */
export function insertSchedulesStatement(ctx: SqlContext, rows: readonly ScheduleRow[], upsert: boolean): Query {
  const col = (f: (r: ScheduleRow) => string | null) => textArray(rows.map(f));
  return {
    text: `INSERT INTO ${ctx.schema}.workflow_schedules (${COLUMNS})
      SELECT u.id, u.name, u.wf, u.cls, u.cron, 'ACTIVE', u.ctx, NULL, u.backfill, u.tz, u.queue, u.app
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[],
                  $8::text[], $9::text[], $10::text[]) AS u(id, name, wf, cls, cron, ctx, backfill, tz, queue, app)
      ON CONFLICT (schedule_name) ${
        upsert
          ? `DO UPDATE SET workflow_name = EXCLUDED.workflow_name, workflow_class_name = EXCLUDED.workflow_class_name,
             schedule = EXCLUDED.schedule, context = EXCLUDED.context, automatic_backfill = EXCLUDED.automatic_backfill,
             cron_timezone = EXCLUDED.cron_timezone, queue_name = EXCLUDED.queue_name,
             application_name = EXCLUDED.application_name`
          : 'DO NOTHING'
      }
      RETURNING schedule_name`,
    params: [
      col((r) => r.scheduleID),
      col((r) => r.scheduleName),
      col((r) => r.workflowName),
      col((r) => r.workflowClassName),
      col((r) => r.schedule),
      col((r) => r.context),
      boolArray(rows.map((r) => r.automaticBackfill)),
      col((r) => r.cronTimezone),
      col((r) => r.queueName),
      col((r) => r.applicationName),
    ],
  };
}

export interface ScheduleFilter {
  readonly names?: readonly string[];
  readonly statuses?: readonly string[];
  readonly workflowNames?: readonly string[];
  readonly namePrefixes?: readonly string[];
  /** Owners to include; unclaimed (NULL) schedules are always included. */
  readonly applications?: readonly string[];
  /** A page: names after `startAfter`, at most `limit` of them. */
  readonly startAfter?: string | undefined;
  readonly limit?: number | undefined;
}

/** Schedules matching every filter given, ordered by name. */
export function listSchedulesStatement(ctx: SqlContext, f: ScheduleFilter): Query<ScheduleRecord> {
  const params: SqlParam[] = [];
  const param = binder(params);
  const where: string[] = [];
  const anyOf = (column: string, values: readonly string[] | undefined) => {
    if (values !== undefined) where.push(`${column} = ANY(${param(textArray(values))}::text[])`);
  };
  anyOf('schedule_name', f.names);
  anyOf('status', f.statuses);
  anyOf('workflow_name', f.workflowNames);
  if (f.namePrefixes !== undefined) {
    where.push(`schedule_name LIKE ANY(${param(textArray(f.namePrefixes.map(likePrefix)))}::text[])`);
  }
  if (f.applications !== undefined) {
    where.push(`(application_name = ANY(${param(textArray(f.applications))}::text[]) OR application_name IS NULL)`);
  }
  if (f.startAfter !== undefined) where.push(`schedule_name > ${param(f.startAfter)}`);
  const limit = f.limit === undefined ? '' : ` LIMIT ${param(f.limit)}`;
  return {
    text: `SELECT ${COLUMNS} FROM ${ctx.schema}.workflow_schedules
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY schedule_name${limit}`,
    params,
  };
}

/** Deletes one schedule; returns it if it existed. */
export function deleteScheduleStatement(ctx: SqlContext, name: string): Query {
  return {
    text: `DELETE FROM ${ctx.schema}.workflow_schedules WHERE schedule_name = $1 RETURNING schedule_name`,
    params: [name],
  };
}

export interface ScheduleChanges {
  readonly status?: 'ACTIVE' | 'PAUSED';
  readonly schedule?: string;
  readonly context?: string;
  readonly automaticBackfill?: boolean;
  /** null clears it (UTC). */
  readonly cronTimezone?: string | null;
  /** null clears it (DBOS's internal queue). */
  readonly queueName?: string | null;
}

/** Changes the given fields of one schedule; returns it if it exists. */
export function updateScheduleStatement(ctx: SqlContext, name: string, c: ScheduleChanges): Query {
  const params: SqlParam[] = [name];
  const param = binder(params);
  const sets: string[] = [];
  const set = (column: string, value: SqlParam | undefined) => {
    if (value !== undefined) sets.push(`${column} = ${param(value)}`);
  };
  set('status', c.status);
  set('schedule', c.schedule);
  set('context', c.context);
  set('automatic_backfill', c.automaticBackfill);
  set('cron_timezone', c.cronTimezone);
  set('queue_name', c.queueName);
  return {
    text: `UPDATE ${ctx.schema}.workflow_schedules SET ${sets.length ? sets.join(', ') : 'schedule_name = schedule_name'}
      WHERE schedule_name = $1 RETURNING ${COLUMNS}`,
    params,
  };
}

export interface ScheduledRun {
  /** The run's workflow ID, in the format this client writes. */
  readonly workflowID: string;
  /** The same tick's ID in the other SDK's format: if that exists, the tick already ran. */
  readonly otherID: string;
  readonly inputs: string;
}

export interface FireRequest {
  readonly schedule: ScheduleRow;
  readonly runs: readonly ScheduledRun[];
  readonly serialization: string;
  /** The owner of the runs (the schedule's, else the firing client's). */
  readonly applicationName: string | null;
  /** Advance `last_fired_at` to this ISO time (never backwards); null leaves it. */
  readonly lastFiredAt: string | null;
  /** Fire only while the schedule exists and is ACTIVE (ticks and backfills; a manual trigger does not need it). */
  readonly requireActive: boolean;
  readonly creatorXid: string;
}

/**
 * Enqueues a schedule's runs, skipping every tick already started under either SDK's ID, and advances
 * `last_fired_at`, in one statement. Concurrent firings of the same tick insert it once (the primary key).
 * Returns, for each requested run, the ID that holds its tick and whether this statement inserted it.
 * Runs get no application version, so they run on the owner's latest one, like the SDK's scheduled runs.
 */
export function fireStatement(ctx: SqlContext, r: FireRequest): Query<{ workflow_uuid: string; inserted: boolean }> {
  const { schema, features } = ctx;
  const xid = features.creatorXid;
  const text = `WITH due AS (
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS d(id, other_id, inputs, n)
    ), live AS (
      SELECT 1 FROM ${schema}.workflow_schedules WHERE schedule_name = $4 AND status = 'ACTIVE'
    ), ins AS (
      INSERT INTO ${schema}.workflow_status (workflow_uuid, status, name, class_name, queue_name, recovery_attempts, priority,
        inputs, serialization, schedule_name, application_name, created_at, updated_at${xid ? ', creator_xid' : ''})
      SELECT d.id, 'ENQUEUED', $5, $6, $7, 0, 0, d.inputs, $8, $4, $9, ${NOW_MS}, ${NOW_MS}${xid ? ', $12' : ''}
      FROM due d
      WHERE (NOT $11::boolean OR EXISTS (SELECT 1 FROM live))
        AND NOT EXISTS (SELECT 1 FROM ${schema}.workflow_status w WHERE w.workflow_uuid = d.other_id)
      ORDER BY d.n
      ON CONFLICT DO NOTHING
      RETURNING workflow_uuid
    ), fired AS (
      UPDATE ${schema}.workflow_schedules SET last_fired_at = $10
      WHERE $10::text IS NOT NULL AND schedule_name = $4
        AND (NOT $11::boolean OR status = 'ACTIVE')
        AND (last_fired_at IS NULL OR last_fired_at::timestamptz < $10::timestamptz)
    )
    SELECT COALESCE(o.workflow_uuid, d.id) AS workflow_uuid, EXISTS (SELECT 1 FROM ins WHERE ins.workflow_uuid = d.id) AS inserted
    FROM due d LEFT JOIN ${schema}.workflow_status o ON o.workflow_uuid = d.other_id
    ORDER BY d.n`;
  const params: SqlParam[] = [
    textArray(r.runs.map((x) => x.workflowID)),
    textArray(r.runs.map((x) => x.otherID)),
    textArray(r.runs.map((x) => x.inputs)),
    r.schedule.scheduleName,
    r.schedule.workflowName,
    r.schedule.workflowClassName,
    r.schedule.queueName ?? INTERNAL_QUEUE,
    r.serialization,
    r.applicationName,
    r.lastFiredAt,
    r.requireActive,
  ];
  if (xid) params.push(r.creatorXid);
  return { text, params };
}

/** Whether rows only a Python (pickle) or a TypeScript (superjson) DBOS app writes exist in the application's scope. */
export interface SchedulerEvidenceRow extends Row {
  readonly python: boolean;
  readonly typescript: boolean;
}

/**
 * Looks for an app's native format among the newest workflows, a sample of step outputs (always written with the
 * app's own serializer) and existing schedule contexts, in one statement. Each probe reads at most
 * `EVIDENCE_SAMPLE` rows, so a large database costs what a small one does.
 */
export function schedulerEvidenceStatement(
  ctx: SqlContext,
  applicationName: string | null,
): Query<SchedulerEvidenceRow> {
  const { schema } = ctx;
  const scope = '($1::text IS NULL OR application_name = $1 OR application_name IS NULL)';
  const probe = (status: string, steps: string, context: string) => `(
      EXISTS (SELECT 1 FROM (SELECT serialization, inputs FROM ${schema}.workflow_status WHERE ${scope}
                             ORDER BY created_at DESC LIMIT ${EVIDENCE_SAMPLE}) w WHERE ${status})
      OR EXISTS (SELECT 1 FROM (SELECT serialization FROM ${schema}.operation_outputs WHERE ${scope}
                                LIMIT ${EVIDENCE_SAMPLE}) o WHERE ${steps})
      OR EXISTS (SELECT 1 FROM ${schema}.workflow_schedules WHERE ${scope} AND ${context}))`;
  return {
    text: `SELECT ${probe(
      "w.serialization = 'py_pickle' OR (w.serialization IS NULL AND w.inputs LIKE 'gA%')",
      "o.serialization = 'py_pickle'",
      "context LIKE 'gA%'",
    )} AS python, ${probe(
      "w.serialization = 'js_superjson'",
      "o.serialization = 'js_superjson'",
      `context LIKE '%"__dbos_serializer":"superjson"%'`,
    )} AS typescript`,
    params: [applicationName],
  };
}

const EVIDENCE_SAMPLE = 1000;
