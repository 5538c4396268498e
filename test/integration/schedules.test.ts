/**
 * Schedules and the tick against a real Postgres with a DBOS schema made by ensureSchema. The interop suite
 * shows the same schedules firing in a real DBOS worker.
 */
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresDriver } from '../../adapters/postgres.ts';
import {
  DBOSClient,
  DBOSConflictingScheduleError,
  DBOSNonExistentScheduleError,
  ValidationError,
} from '../../src/index.ts';
import { countingDriver } from '../helpers/counting.ts';
import { createDbosDatabase } from '../helpers/pg.ts';

/** Schedules fired only by dbos-edge's tick: portable contexts, TypeScript run IDs. */
const EDGE_ONLY = { schedulerApp: { language: 'typescript', serializer: 'portable' } } as const;

let db: Awaited<ReturnType<typeof createDbosDatabase>>;
let sql: postgres.Sql;
let client: DBOSClient;
let n = 0;
const uniq = (label: string) => `${label}-${++n}-${Math.random().toString(36).slice(2, 6)}`;

beforeAll(async () => {
  db = await createDbosDatabase('edge_sched');
  sql = db.sql;
  client = new DBOSClient({ systemDatabaseUrl: db.url, applicationName: 'app', ...EDGE_ONLY });
});

afterAll(async () => {
  await client?.destroy();
  await db?.drop();
});

async function runs(name: string) {
  return sql`SELECT workflow_uuid, status, name, queue_name, schedule_name, application_name, serialization, inputs,
                    application_version
             FROM dbos.workflow_status WHERE schedule_name = ${name} ORDER BY workflow_uuid`;
}

const lastFired = async (name: string) =>
  (await sql`SELECT last_fired_at FROM dbos.workflow_schedules WHERE schedule_name = ${name}`)[0]?.last_fired_at;

describe('managing schedules', () => {
  it('creates, lists, gets, updates, pauses, resumes and deletes', async () => {
    const name = uniq('crud');
    await client.createSchedule({
      scheduleName: name,
      workflowName: 'report',
      schedule: '0 */5 * * * *',
      context: { team: 'edge' },
      options: { cronTimezone: 'Europe/Berlin', queueName: 'reports' },
    });
    expect(await client.getSchedule(name)).toMatchObject({
      scheduleName: name,
      workflowName: 'report',
      workflowClassName: '',
      schedule: '0 */5 * * * *',
      status: 'ACTIVE',
      context: { team: 'edge' },
      lastFiredAt: null,
      automaticBackfill: false,
      cronTimezone: 'Europe/Berlin',
      queueName: 'reports',
      applicationName: 'app',
    });
    await client.updateSchedule(name, { schedule: '@hourly', context: { team: 'core' }, queueName: null });
    await client.pauseSchedule(name);
    expect(await client.getSchedule(name)).toMatchObject({
      schedule: '@hourly',
      context: { team: 'core' },
      queueName: null,
      status: 'PAUSED',
    });
    expect((await client.listSchedules({ status: 'PAUSED' })).map((s) => s.scheduleName)).toContain(name);
    await client.resumeSchedule(name);
    expect((await client.getSchedule(name))?.status).toBe('ACTIVE');
    await client.deleteSchedule(name);
    expect(await client.getSchedule(name)).toBeNull();
    await client.deleteSchedule(name); // idempotent
  });

  it('refuses a duplicate name, a bad cron and a bad timezone before writing', async () => {
    const name = uniq('dup');
    await client.createSchedule({ scheduleName: name, workflowName: 'w', schedule: '* * * * *' });
    await expect(
      client.createSchedule({ scheduleName: name, workflowName: 'w', schedule: '* * * * *' }),
    ).rejects.toBeInstanceOf(DBOSConflictingScheduleError);
    const bad = await client
      .createSchedule({ scheduleName: uniq('bad'), workflowName: 'w', schedule: '61 * * * *' })
      .catch((e) => e);
    expect(bad).toBeInstanceOf(ValidationError);
    expect(bad.issues[0]).toMatchObject({ field: 'schedule.schedule', rule: 'cron' });
    const tz = await client
      .createSchedule({
        scheduleName: uniq('tz'),
        workflowName: 'w',
        schedule: '* * * * *',
        cronTimezone: 'Nowhere/Land',
      })
      .catch((e) => e);
    expect(tz.issues[0]).toMatchObject({ field: 'schedule.cronTimezone', rule: 'timezone' });
    const [{ count }] = (await sql`SELECT count(*)::int AS count FROM dbos.workflow_schedules
      WHERE schedule_name LIKE 'bad-%' OR schedule_name LIKE 'tz-%'`) as unknown as [{ count: number }];
    expect(count).toBe(0);
    await expect(client.pauseSchedule(uniq('missing'))).rejects.toBeInstanceOf(DBOSNonExistentScheduleError);
  });

  it('applySchedules upserts in one statement, keeping ID, status and last_fired_at', async () => {
    const driver = countingDriver(postgresDriver(db.url));
    const c = new DBOSClient({ driver, applicationName: 'app', ...EDGE_ONLY });
    const [a, b] = [uniq('apply'), uniq('apply')];
    await c.applySchedules([
      { scheduleName: a, workflowName: 'w', schedule: '* * * * *' },
      { scheduleName: b, workflowName: 'w', schedule: '@daily', context: 1 },
    ]);
    const before = await c.getSchedule(a);
    await c.pauseSchedule(a);
    await sql`UPDATE dbos.workflow_schedules SET last_fired_at = '2026-01-01T00:00:00.000Z' WHERE schedule_name = ${a}`;
    const calls = driver.calls.length;
    await c.applySchedules([
      { scheduleName: a, workflowName: 'w2', schedule: '*/2 * * * *' },
      { scheduleName: b, workflowName: 'w', schedule: '@daily', context: 2 },
    ]);
    expect(driver.calls.length - calls).toBe(1);
    expect(await c.getSchedule(a)).toMatchObject({
      scheduleId: before?.scheduleId,
      workflowName: 'w2',
      schedule: '*/2 * * * *',
      status: 'PAUSED',
      lastFiredAt: '2026-01-01T00:00:00.000Z',
    });
    expect((await c.getSchedule(b))?.context).toBe(2);
    await expect(
      c.applySchedules([
        { scheduleName: a, workflowName: 'w', schedule: '* * * * *' },
        { scheduleName: a, workflowName: 'w', schedule: '* * * * *' },
      ]),
    ).rejects.toMatchObject({ issues: [{ field: 'schedules[1].scheduleName', rule: 'unique' }] });
    await c.destroy();
    await driver.close();
  });

  it('lists by status, workflow name, name prefix and owner', async () => {
    const p = uniq('list');
    await client.createSchedule({ scheduleName: `${p}-a`, workflowName: 'alpha', schedule: '* * * * *' });
    await client.createSchedule({ scheduleName: `${p}-b`, workflowName: 'beta', schedule: '* * * * *' });
    await client.createSchedule({
      scheduleName: `${p}-c`,
      workflowName: 'beta',
      schedule: '* * * * *',
      applicationName: 'other',
    });
    await client.pauseSchedule(`${p}-b`);
    const names = async (f: Parameters<DBOSClient['listSchedules']>[0]) =>
      (await client.listSchedules({ scheduleNamePrefix: p, ...f })).map((s) => s.scheduleName);
    expect(await names({})).toEqual([`${p}-a`, `${p}-b`]);
    expect(await names({ status: 'PAUSED' })).toEqual([`${p}-b`]);
    expect(await names({ workflowName: ['alpha', 'beta'], status: ['ACTIVE'] })).toEqual([`${p}-a`]);
    expect(await names({ applicationName: 'other' })).toEqual([`${p}-c`]);
  });
});

describe('the tick', () => {
  async function create(schedule: string, extra: Record<string, unknown> = {}) {
    const name = uniq('tick');
    await client.createSchedule({ scheduleName: name, workflowName: 'job', schedule, context: { n: 1 }, ...extra });
    return name;
  }
  const only = (report: Awaited<ReturnType<DBOSClient['runScheduleTick']>>, name: string) =>
    report.schedules.find((s) => s.scheduleName === name);

  it('starts a new schedule from now, then enqueues each due tick once and advances last_fired_at', async () => {
    const name = await create('*/10 * * * * *');
    const t0 = new Date('2026-06-01T00:00:05.000Z');
    expect(only(await client.runScheduleTick({ now: t0 }), name)).toMatchObject({ fired: [], skipped: 0 });
    expect(await lastFired(name)).toBe(t0.toISOString());
    const report = await client.runScheduleTick({ now: '2026-06-01T00:00:40.000Z' });
    expect(only(report, name)?.fired).toEqual([
      `sched-${name}-2026-06-01T00:00:10.000Z`,
      `sched-${name}-2026-06-01T00:00:20.000Z`,
      `sched-${name}-2026-06-01T00:00:30.000Z`,
      `sched-${name}-2026-06-01T00:00:40.000Z`,
    ]);
    expect(await lastFired(name)).toBe('2026-06-01T00:00:40.000Z');
    // Run again at the same moment, and with an older "now": nothing new, last_fired_at never moves back.
    expect(only(await client.runScheduleTick({ now: '2026-06-01T00:00:40.000Z' }), name)?.fired).toEqual([]);
    await client.runScheduleTick({ now: '2026-06-01T00:00:15.000Z' });
    expect(await lastFired(name)).toBe('2026-06-01T00:00:40.000Z');
    const rows = await runs(name);
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatchObject({
      status: 'ENQUEUED',
      name: 'job',
      queue_name: '_dbos_internal_queue',
      application_name: 'app',
      serialization: 'portable_json',
      application_version: null,
      inputs: '{"positionalArgs":["2026-06-01T00:00:10.000Z",{"n":1}]}',
    });
  });

  it('writes native (scheduledDate, context) for a native schedule, as the TS scheduler does', async () => {
    const name = await create('* * * * *', { serializationType: 'native', context: { at: new Date(0) } });
    await sql`UPDATE dbos.workflow_schedules SET last_fired_at = '2026-06-01T00:00:00.000Z' WHERE schedule_name = ${name}`;
    await client.runScheduleTick({ now: '2026-06-01T00:01:00.000Z' });
    const [row] = await runs(name);
    expect(row).toMatchObject({
      serialization: 'js_superjson',
      workflow_uuid: `sched-${name}-2026-06-01T00:01:00.000Z`,
    });
    expect(JSON.parse(row?.inputs)).toEqual({
      json: ['2026-06-01T00:01:00.000Z', { at: '1970-01-01T00:00:00.000Z' }],
      meta: { values: { '0': ['Date'], '1.at': ['Date'] } },
      __dbos_serializer: 'superjson',
    });
  });

  it('catches up at most maxCatchUp ticks, the newest, and reports the skipped ones', async () => {
    const name = await create('* * * * *');
    await sql`UPDATE dbos.workflow_schedules SET last_fired_at = '2026-06-01T00:00:00.000Z' WHERE schedule_name = ${name}`;
    const result = only(await client.runScheduleTick({ now: '2026-06-01T01:00:00.000Z', maxCatchUp: 5 }), name);
    expect(result?.fired).toEqual(
      ['00:56', '00:57', '00:58', '00:59', '01:00'].map((t) => `sched-${name}-2026-06-01T${t}:00.000Z`),
    );
    expect(result?.skipped).toBe(55);
  });

  it('never fires a paused or deleted schedule, and skips ticks a Python app already ran', async () => {
    const paused = await create('* * * * *');
    const deleted = await create('* * * * *');
    const python = await create('* * * * *');
    for (const name of [paused, deleted, python]) {
      await sql`UPDATE dbos.workflow_schedules SET last_fired_at = '2026-06-01T00:00:00Z' WHERE schedule_name = ${name}`;
    }
    await client.pauseSchedule(paused);
    await client.deleteSchedule(deleted);
    await sql`INSERT INTO dbos.workflow_status (workflow_uuid, status, name, created_at, updated_at)
              VALUES (${`sched-${python}-2026-06-01T00:01:00+00:00`}, 'SUCCESS', 'job', 0, 0)`;
    const report = await client.runScheduleTick({ now: '2026-06-01T00:02:00Z' });
    expect(only(report, paused)).toBeUndefined();
    expect(only(report, deleted)).toBeUndefined();
    expect(only(report, python)).toMatchObject({
      fired: [`sched-${python}-2026-06-01T00:02:00.000Z`],
      alreadyStarted: 1,
    });
    expect(await runs(paused)).toHaveLength(0);
  });

  it('keeps going when one schedule fails', async () => {
    const broken = await create('* * * * *');
    const fine = await create('* * * * *');
    await sql`UPDATE dbos.workflow_schedules SET last_fired_at = '2026-06-01T00:00:00Z',
                context = CASE WHEN schedule_name = ${broken} THEN 'gASVAAAAAAAAAAB9' ELSE context END
              WHERE schedule_name IN (${broken}, ${fine})`;
    const report = await client.runScheduleTick({ now: '2026-06-01T00:01:00Z' });
    // A truncated pickle: unreadable, so that schedule fails alone.
    expect(only(report, broken)?.error).toMatch(new RegExp(`the context of schedule ${broken}`));
    expect(only(report, fine)?.fired).toHaveLength(1);
    expect(report.errors).toBeGreaterThanOrEqual(1);
  });

  it('10 concurrent ticks over 50 schedules enqueue each due time exactly once', async () => {
    const prefix = uniq('race');
    const names = Array.from({ length: 50 }, (_, i) => `${prefix}-${i}`);
    const scoped = new DBOSClient({ systemDatabaseUrl: db.url, applicationName: prefix, ...EDGE_ONLY });
    await scoped.applySchedules(
      names.map((scheduleName) => ({ scheduleName, workflowName: 'job', schedule: '*/15 * * * * *' })),
    );
    await sql`UPDATE dbos.workflow_schedules SET last_fired_at = '2026-06-01T00:00:00.000Z' WHERE application_name = ${prefix}`;
    // Ten isolates, each with its own small pool, as ten edge invocations would have.
    const drivers = Array.from({ length: 10 }, () => postgresDriver(db.url, { max: 2 }));
    const clients = drivers.map((driver) => new DBOSClient({ driver, applicationName: prefix, ...EDGE_ONLY }));
    const reports = await Promise.all(
      clients.map((c, i) =>
        c.runScheduleTick({ now: new Date(Date.parse('2026-06-01T00:01:00Z') + (i % 3) * 15_000) }),
      ),
    );
    const fired = reports.flatMap((r) => r.schedules.flatMap((s) => s.fired));
    expect(new Set(fired).size).toBe(fired.length); // nobody enqueued a tick another did
    const [{ total, distinct }] =
      (await sql`SELECT count(*)::int AS total, count(DISTINCT workflow_uuid)::int AS distinct
      FROM dbos.workflow_status WHERE application_name = ${prefix}`) as unknown as [
        { total: number; distinct: number },
      ];
    expect(total).toBe(50 * 6); // ticks 00:15 … 01:30 for each schedule
    expect(distinct).toBe(total);
    const marks =
      await sql`SELECT DISTINCT last_fired_at FROM dbos.workflow_schedules WHERE application_name = ${prefix}`;
    expect(marks.map((m) => m.last_fired_at)).toEqual(['2026-06-01T00:01:30.000Z']);
    await Promise.all([...clients, scoped].map((c) => c.destroy()));
    await Promise.all(drivers.map((d) => d.close()));
  });
});

describe('backfill and trigger', () => {
  it('backfills strictly inside the window once, however often it runs', async () => {
    const name = uniq('fill');
    await client.createSchedule({ scheduleName: name, workflowName: 'job', schedule: '0 0 * * * *' });
    const start = new Date('2026-06-01T00:00:00Z');
    const end = new Date('2026-06-01T03:00:00Z');
    const first = await client.backfillSchedule(name, start, end);
    expect(first.map((h) => h.workflowID)).toEqual([
      `sched-${name}-2026-06-01T01:00:00.000Z`,
      `sched-${name}-2026-06-01T02:00:00.000Z`,
    ]);
    const again = await client.backfillSchedule(name, start, end, { idFormat: 'python' });
    // The Python-format run of each tick is recognised as the same tick: nothing new.
    expect(again.map((h) => h.workflowID)).toEqual(first.map((h) => h.workflowID));
    expect(await runs(name)).toHaveLength(2);
    const huge = await client.backfillSchedule(name, new Date('2020-01-01Z'), new Date('2026-01-01Z')).catch((e) => e);
    expect(huge).toMatchObject({ issues: [{ field: 'end', rule: 'max_ticks' }] });
    await expect(client.backfillSchedule(name, end, start)).rejects.toBeInstanceOf(ValidationError);
    await expect(client.backfillSchedule(uniq('missing'), start, end)).rejects.toBeInstanceOf(
      DBOSNonExistentScheduleError,
    );
  });

  it('triggers a run now', async () => {
    const name = uniq('trig');
    await client.createSchedule({ scheduleName: name, workflowName: 'job', schedule: '@yearly' });
    await client.pauseSchedule(name);
    const handle = await client.triggerSchedule(name);
    expect(handle.workflowID).toMatch(new RegExp(`^sched-${name}-trigger-\\d{4}-.*Z$`));
    expect(await runs(name)).toHaveLength(1);
  });
});
