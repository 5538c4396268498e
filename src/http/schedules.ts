/**
 * Schedule routes: create, apply (create or redefine many), list, get, update, delete, pause, resume, trigger,
 * backfill, and the tick that fires due schedules (`POST /v1/schedules/tick`, for an external cron). Times are epoch
 * milliseconds out (`lastFiredAt`, the tick's `now`) and ISO 8601 or epoch milliseconds in.
 */
import { DBOSNonExistentScheduleError, ValidationError } from '../errors.ts';
import type { TickReport, WorkflowSchedule } from '../schedules.ts';
import { jsonResponse } from './json.ts';
import { type AnyRoute, route } from './route.ts';
import {
  AppliedSchema,
  type RequestSchemas,
  ScheduleListSchema,
  TickReportSchema,
  WorkflowRefSchema,
  WorkflowRefsSchema,
  WorkflowScheduleSchema,
} from './schemas.ts';

const epoch = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));
const toDate = (t: string | number | Date): Date => (t instanceof Date ? t : new Date(t));

export function scheduleJson(s: WorkflowSchedule) {
  return { ...s, lastFiredAt: epoch(s.lastFiredAt) };
}

/**
 * How far past the server's clock a tick's `now` may be. A later one would move `last_fired_at` past the real time
 * for good (it only moves forward), so the schedule would not fire until the clock caught up. An earlier `now` is
 * harmless for the same reason, and is how a missed tick is replayed.
 */
export const MAX_TICK_SKEW_MS = 5 * 60_000;

function refuseFutureTick(now: string | number | Date | undefined, serverNow: number): void {
  if (now === undefined) return;
  const ms = new Date(now).getTime();
  if (ms > serverNow + MAX_TICK_SKEW_MS) {
    throw new ValidationError([
      {
        field: 'body.now',
        rule: 'clock_skew',
        message: `must be at most ${MAX_TICK_SKEW_MS / 60_000} minutes past the server's clock`,
      },
    ]);
  }
}

function tickJson(r: TickReport) {
  return { ...r, now: Date.parse(r.now) };
}

/** A schedule as the routes answer it (the examples' shared value). */
const NIGHTLY_REPORT = {
  scheduleId: '0b8f6c1e-2d7a-4e59-9c3b-5a1d2e3f4a5b',
  scheduleName: 'nightly-report',
  workflowName: 'buildReport',
  workflowClassName: '',
  schedule: '0 2 * * *',
  status: 'ACTIVE',
  context: { format: 'pdf' },
  lastFiredAt: 1796086800000,
  automaticBackfill: false,
  cronTimezone: 'Europe/Paris',
  queueName: 'reports',
};

const location = (name: string) => ({ location: `/v1/schedules/${encodeURIComponent(name)}` });

export function scheduleRoutes(s: RequestSchemas): AnyRoute[] {
  return [
    route({
      method: 'post',
      path: '/v1/schedules',
      operationId: 'createSchedule',
      summary: 'Create a schedule',
      tag: 'schedules',
      access: 'full',
      body: s.scheduleBody,
      bodyExamples: {
        nightly: {
          summary: 'Every night at 02:00 Paris time, on the `reports` queue',
          value: {
            scheduleName: 'nightly-report',
            workflowName: 'buildReport',
            schedule: '0 2 * * *',
            cronTimezone: 'Europe/Paris',
            queueName: 'reports',
            context: { format: 'pdf' },
          },
        },
      },
      responses: {
        201: {
          description: 'Created',
          schema: WorkflowScheduleSchema,
          headers: { Location: 'it' },
          examples: { created: { summary: 'The stored schedule', value: { ...NIGHTLY_REPORT, lastFiredAt: null } } },
        },
      },
      problems: [409],
      handler: async ({ client, body }) => {
        const dbos = await client();
        await dbos.createSchedule(body);
        const created = await dbos.getSchedule(body.scheduleName);
        return jsonResponse(created ? scheduleJson(created) : null, 201, location(body.scheduleName));
      },
    }),
    route({
      method: 'put',
      path: '/v1/schedules',
      operationId: 'applySchedules',
      summary: 'Create or redefine schedules in one statement',
      description: 'Existing schedules keep their ID, status and lastFiredAt.',
      tag: 'schedules',
      access: 'full',
      body: s.applySchedulesBody,
      bodyExamples: {
        two: {
          summary: 'Two schedules, created or redefined together',
          value: {
            schedules: [
              { scheduleName: 'nightly-report', workflowName: 'buildReport', schedule: '0 2 * * *' },
              { scheduleName: 'cleanup', workflowName: 'cleanup', schedule: '@hourly' },
            ],
          },
        },
      },
      responses: { 200: { description: 'Applied', schema: AppliedSchema } },
      handler: async ({ client, body }) => {
        await (await client()).applySchedules(body.schedules);
        return jsonResponse({ applied: body.schedules.length });
      },
    }),
    route({
      method: 'get',
      path: '/v1/schedules',
      operationId: 'listSchedules',
      summary: 'List schedules',
      tag: 'schedules',
      access: 'read',
      query: s.listSchedulesQuery,
      responses: {
        200: {
          description: 'The schedules',
          schema: ScheduleListSchema,
          examples: { one: { summary: 'One schedule', value: { schedules: [NIGHTLY_REPORT] } } },
        },
      },
      description: 'A page of at most `limit` schedules (default and cap: the page sizes of listings), by name.',
      handler: async ({ client, query, limits }) => {
        const limit = query.limit ?? limits.defaultPageSize;
        const list = await (await client()).listSchedules({ ...query, limit });
        const last = list.length === limit ? list[list.length - 1]?.scheduleName : undefined;
        return jsonResponse({ schedules: list.map(scheduleJson), ...(last ? { nextStartAfter: last } : {}) });
      },
    }),
    route({
      method: 'post',
      path: '/v1/schedules/tick',
      operationId: 'runScheduleTick',
      summary: 'Fire every due schedule (call from a cron)',
      tag: 'schedules',
      access: 'full',
      body: s.tickBody,
      bodyOptional: true,
      bodyExamples: { catchUp: { summary: 'Fire at most 10 missed runs per schedule', value: { maxCatchUp: 10 } } },
      responses: {
        200: {
          description: 'What the tick did',
          schema: TickReportSchema,
          examples: {
            fired: {
              summary: 'One schedule fired once',
              value: {
                now: 1796086800500,
                fired: 1,
                errors: 0,
                schedules: [
                  {
                    scheduleName: 'nightly-report',
                    fired: ['sched-nightly-report-2026-12-01T01:00:00.000Z'],
                    alreadyStarted: 0,
                    skipped: 0,
                  },
                ],
              },
            },
          },
        },
      },
      handler: async ({ client, body, now }) => {
        refuseFutureTick(body?.now, now());
        return jsonResponse(tickJson(await (await client()).runScheduleTick(body)));
      },
    }),
    route({
      method: 'get',
      path: '/v1/schedules/{scheduleName}',
      operationId: 'getSchedule',
      summary: 'A schedule',
      tag: 'schedules',
      access: 'read',
      params: s.schedulePath,
      responses: { 200: { description: 'The schedule', schema: WorkflowScheduleSchema } },
      problems: [404],
      handler: async ({ client, params }) => {
        const found = await (await client()).getSchedule(params.scheduleName);
        if (!found) throw new DBOSNonExistentScheduleError(params.scheduleName);
        return jsonResponse(scheduleJson(found));
      },
    }),
    route({
      method: 'patch',
      path: '/v1/schedules/{scheduleName}',
      operationId: 'updateSchedule',
      summary: "Change a schedule's settings",
      tag: 'schedules',
      access: 'full',
      params: s.schedulePath,
      body: s.scheduleUpdateBody,
      bodyExamples: {
        moveToUtc: { summary: 'Run at 03:00, back in UTC', value: { schedule: '0 3 * * *', cronTimezone: null } },
      },
      responses: { 200: { description: 'The schedule', schema: WorkflowScheduleSchema } },
      problems: [404],
      handler: async ({ client, params, body }) => {
        const dbos = await client();
        await dbos.updateSchedule(params.scheduleName, body);
        const found = await dbos.getSchedule(params.scheduleName);
        if (!found) throw new DBOSNonExistentScheduleError(params.scheduleName);
        return jsonResponse(scheduleJson(found));
      },
    }),
    route({
      method: 'delete',
      path: '/v1/schedules/{scheduleName}',
      operationId: 'deleteSchedule',
      summary: 'Delete a schedule (idempotent)',
      tag: 'schedules',
      access: 'full',
      params: s.schedulePath,
      responses: { 204: { description: 'Deleted, or there was none' } },
      handler: async ({ client, params }) => {
        await (await client()).deleteSchedule(params.scheduleName);
        return new Response(null, { status: 204 });
      },
    }),
    ...(['pause', 'resume'] as const).map((action) =>
      route({
        method: 'post',
        path: `/v1/schedules/{scheduleName}/${action}`,
        operationId: `${action}Schedule`,
        summary: action === 'pause' ? 'Pause a schedule' : 'Resume a paused schedule',
        tag: 'schedules',
        access: 'full',
        params: s.schedulePath,
        responses: { 200: { description: 'The schedule', schema: WorkflowScheduleSchema } },
        problems: [404],
        handler: async ({ client, params }) => {
          const dbos = await client();
          if (action === 'pause') await dbos.pauseSchedule(params.scheduleName);
          else await dbos.resumeSchedule(params.scheduleName);
          const found = await dbos.getSchedule(params.scheduleName);
          if (!found) throw new DBOSNonExistentScheduleError(params.scheduleName);
          return jsonResponse(scheduleJson(found));
        },
      }),
    ),
    route({
      method: 'post',
      path: '/v1/schedules/{scheduleName}/trigger',
      operationId: 'triggerSchedule',
      summary: "Run a schedule's workflow now",
      tag: 'schedules',
      access: 'full',
      params: s.schedulePath,
      body: s.triggerBody,
      bodyOptional: true,
      bodyExamples: { python: { summary: 'A run ID in the Python SDK format', value: { idFormat: 'python' } } },
      responses: { 201: { description: 'The run', schema: WorkflowRefSchema } },
      problems: [404],
      handler: async ({ client, params, body }) => {
        const h = await (await client()).triggerSchedule(params.scheduleName, body);
        return jsonResponse({ workflowID: h.workflowID }, 201, {
          location: `/v1/workflows/${encodeURIComponent(h.workflowID)}`,
        });
      },
    }),
    route({
      method: 'post',
      path: '/v1/schedules/{scheduleName}/backfill',
      operationId: 'backfillSchedule',
      summary: 'Run every tick strictly between start and end, each once',
      tag: 'schedules',
      access: 'full',
      params: s.schedulePath,
      body: s.backfillBody,
      bodyExamples: {
        lastWeek: {
          summary: 'Every run of the first week of November',
          value: { start: '2026-11-01T00:00:00Z', end: '2026-11-08T00:00:00Z' },
        },
      },
      responses: { 200: { description: 'The runs of the window', schema: WorkflowRefsSchema } },
      problems: [404],
      handler: async ({ client, params, body }) => {
        const { start, end, ...options } = body;
        const hs = await (await client()).backfillSchedule(params.scheduleName, toDate(start), toDate(end), options);
        return jsonResponse({ workflowIDs: hs.map((h) => h.workflowID) });
      },
    }),
  ];
}
