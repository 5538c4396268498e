/**
 * Schedules made by dbos-edge, run by a real DBOS worker: fired by the worker's own scheduler (native context)
 * and by dbos-edge's tick; paused and resumed; backfilled side by side with the SDK's own client.
 */
import { readFileSync } from 'node:fs';
import { DBOSClient as SdkClient } from '@dbos-inc/dbos-sdk';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DBOSClient, ValidationError, type WorkflowStatus } from '../../src/index.ts';
import { waitUntil } from './worker/harness.ts';

const url = inject('interopDatabaseUrl');
const appName = inject('interopAppName');
const workerLog = inject('interopWorkerLog');
let client: DBOSClient;
let sdk: SdkClient;
const uid = (label: string) => `${label}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

beforeAll(async () => {
  // No schedulerApp: the client detects the TypeScript app from what it wrote. A workflow it ran natively has left
  // superjson step outputs, a sign only a TypeScript app leaves.
  client = new DBOSClient({ systemDatabaseUrl: url, applicationName: appName });
  const native = await client.enqueue({
    queueName: 'interop',
    workflowName: 'three_steps',
    serializationType: 'native',
  });
  await native.getResult({ timeoutMs: 30_000 });
  sdk = await SdkClient.create({ systemDatabaseUrl: url, applicationName: appName });
});

afterAll(async () => {
  await client?.destroy();
  await sdk?.destroy();
});

const runsOf = (name: string, status?: WorkflowStatus['status']) =>
  client.listWorkflows({ workflowIDPrefix: `sched-${name}-`, ...(status ? { status } : {}) });

/** The scheduled time of a run, from its workflow ID. */
const tickOf = (id: string, name: string) => Date.parse(id.slice(`sched-${name}-`.length));

describe('a schedule created by dbos-edge', () => {
  it('fires in the worker, which receives its Date and context; pause stops it and resume restarts it', async () => {
    const name = uid('native');
    const context = { from: 'edge', since: new Date('2026-01-01T00:00:00.000Z') };
    const logBefore = readFileSync(workerLog, 'utf8').length;
    // The app's own format is the default: no serializationType.
    await client.createSchedule({ scheduleName: name, workflowName: 'scheduled', schedule: '* * * * * *', context });
    await waitUntil(async () => (await runsOf(name, 'SUCCESS')).length >= 1, { timeoutMs: 20_000 });
    const [run] = await runsOf(name, 'SUCCESS');
    expect(run?.workflowID).toMatch(new RegExp(`^sched-${name}-\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.000Z$`));
    expect(run?.output).toEqual({ isDate: true, at: run?.workflowID.slice(`sched-${name}-`.length), context });
    expect(run?.scheduleName).toBe(name);
    // Its scheduler read every schedule in its scope without complaint while it fired this one.
    expect(readFileSync(workerLog, 'utf8').slice(logBefore)).not.toMatch(/Dynamic scheduler: (error|not running)/);

    await client.pauseSchedule(name);
    const pausedAt = Date.now();
    await new Promise((r) => setTimeout(r, 2500)); // the worker re-reads schedules every 200 ms
    const late = (await runsOf(name)).filter((r) => tickOf(r.workflowID, name) > pausedAt + 1000);
    expect(late).toEqual([]);

    await client.resumeSchedule(name);
    const resumedAt = Date.now();
    await waitUntil(async () => (await runsOf(name)).some((r) => tickOf(r.workflowID, name) > resumedAt), {
      timeoutMs: 20_000,
    });
    await client.deleteSchedule(name);
  });

  it('writes the app’s own format by default: superjson, which the SDK client reads back', async () => {
    const name = uid('detected');
    await client.createSchedule({
      scheduleName: name,
      workflowName: 'scheduled',
      schedule: '0 0 1 1 *',
      context: { at: new Date('2026-01-02T03:04:05Z'), tags: ['a'] },
    });
    const read = await sdk.getSchedule(name);
    expect(read?.context).toEqual({ at: new Date('2026-01-02T03:04:05Z'), tags: ['a'] });
    await client.deleteSchedule(name);
  });

  it('refuses a portable schedule, which this app’s scheduler cannot read, before writing it', async () => {
    const name = uid('portable');
    const error = await client
      .createSchedule({
        scheduleName: name,
        workflowName: 'scheduled',
        schedule: '* * * * *',
        serializationType: 'portable',
      })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues).toEqual([
      expect.objectContaining({ field: 'schedule.serializationType', rule: 'scheduler_format' }),
    ]);
    expect(await client.getSchedule(name)).toBeNull();
  });

  it('is fired by the tick too, while the app is down, and the worker runs it with its Date and context', async () => {
    const name = uid('tick');
    // Yearly, so the worker's own scheduler fires nothing during the test: only the tick does.
    await client.createSchedule({
      scheduleName: name,
      workflowName: 'scheduled',
      schedule: '0 0 1 1 *',
      context: { n: 1 },
    });
    const start = await client.runScheduleTick({ now: '2020-06-01T00:00:00Z' }); // never fired: records now
    expect(start.schedules.find((s) => s.scheduleName === name)?.fired).toEqual([]);
    const report = await client.runScheduleTick({ now: '2023-06-01T00:00:00Z' });
    const fired = report.schedules.find((s) => s.scheduleName === name)?.fired ?? [];
    expect(fired).toEqual(['2021', '2022', '2023'].map((y) => `sched-${name}-${y}-01-01T00:00:00.000Z`));
    for (const id of fired) {
      expect(await client.retrieveWorkflow(id).getResult({ timeoutMs: 20_000 })).toEqual({
        isDate: true,
        at: id.slice(`sched-${name}-`.length),
        context: { n: 1 },
      });
    }
    await client.deleteSchedule(name);
  });

  it('backfills the same IDs as the SDK client, with no duplicates when both run', async () => {
    const name = uid('fill');
    await client.createSchedule({
      scheduleName: name,
      workflowName: 'scheduled',
      schedule: '*/20 * * * * *',
      cronTimezone: 'America/New_York',
      context: 'ctx',
      serializationType: 'native',
    });
    await client.pauseSchedule(name); // only the backfills run it
    const start = new Date('2026-03-08T06:59:00.000Z'); // around New York's spring-forward
    const mid = new Date('2026-03-08T07:00:30.000Z');
    const end = new Date('2026-03-08T07:02:00.000Z');
    // SDK first, then dbos-edge over the same window: dbos-edge adds nothing.
    const theirs = (await sdk.backfillSchedule(name, start, mid)).map((h) => h.workflowID);
    const ours = (await client.backfillSchedule(name, start, mid)).map((h) => h.workflowID);
    expect(ours).toEqual(theirs);
    // dbos-edge first, then the SDK.
    const ours2 = (await client.backfillSchedule(name, mid, end)).map((h) => h.workflowID);
    const theirs2 = (await sdk.backfillSchedule(name, mid, end)).map((h) => h.workflowID);
    expect(ours2).toEqual(theirs2);
    const all = [...theirs, ...ours2];
    await waitUntil(async () => (await runsOf(name, 'SUCCESS')).length === all.length, { timeoutMs: 20_000 });
    expect((await runsOf(name)).map((r) => r.workflowID).sort()).toEqual([...all].sort());
    await client.deleteSchedule(name);
  });

  it('triggerSchedule runs it once, now', async () => {
    const name = uid('trigger');
    await client.createSchedule({
      scheduleName: name,
      workflowName: 'scheduled',
      schedule: '@yearly',
      context: [1, 2],
      serializationType: 'native',
    });
    const before = Date.now();
    const handle = await client.triggerSchedule(name);
    const result = (await handle.getResult({ timeoutMs: 20_000 })) as { isDate: boolean; at: string; context: unknown };
    expect(result).toMatchObject({ isDate: true, context: [1, 2] });
    expect(Date.parse(result.at)).toBeGreaterThanOrEqual(before - 5);
    expect(await runsOf(name)).toHaveLength(1);
    await client.deleteSchedule(name);
  });
});
