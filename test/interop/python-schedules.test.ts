/**
 * Schedules dbos-edge writes and fires for the portable-serializer variant of the DBOS Python app: ticks, backfills
 * and triggers with Python's IDs (`sched-<name>-<isoformat>` in the cron timezone), run by the app, and read by
 * DBOS Python's own client. (The app's own scheduler firing them is in python-schedule-formats.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { firstSuccessfulRun, scheduleTickWithPython } from './python/app-schedules.ts';
import { probePython } from './python/probe.ts';
import { pythonSuite } from './python/targets.ts';

const RESULT_WAIT = { timeoutMs: 20_000 };
/** `datetime.isoformat()` of a whole second: no fraction, a numeric offset. */

describe('schedules of a portable-serializer Python app', () => {
  const { target, client, uid } = pythonSuite('pysched', 'portable');
  const scheduleName = (label: string) => uid(label).replaceAll('-', '_');

  it('backfills with Python IDs in the cron timezone, and Python’s own backfill finds them started', async () => {
    const name = scheduleName('backfill');
    await client.createSchedule({
      scheduleName: name,
      workflowName: 'tick',
      schedule: '*/10 * * * * *',
      cronTimezone: 'Europe/Paris',
      context: ['ctx'],
    });
    // Paused: only the backfills below start runs.
    await client.pauseSchedule(name);
    const handles = await client.backfillSchedule(
      name,
      new Date('2026-01-01T00:00:00Z'),
      new Date('2026-01-01T00:00:35Z'),
      { idFormat: 'python' },
    );
    const expected = ['10', '20', '30'].map((second) => `sched-${name}-2026-01-01T01:00:${second}+01:00`);
    expect(handles.map((h) => h.workflowID)).toEqual(expected);
    // Portable runs carry the instant as a UTC ISO string: the workflow's datetime is UTC, not in the cron timezone.
    expect(await Promise.all(handles.map((h) => h.getResult(RESULT_WAIT)))).toEqual(
      ['10', '20', '30'].map((second) => ({ at: `2026-01-01T00:00:${second}+00:00`, context: ['ctx'] })),
    );

    // Python's backfill of the same window computes the same IDs, finds them started, and starts nothing.
    const [pythonIds] = await probePython(target, [
      { op: 'backfill', name, start: '2026-01-01T00:00:00+00:00', end: '2026-01-01T00:00:35+00:00' },
    ]);
    expect(pythonIds).toEqual(expected);
    expect((await client.listWorkflows({ scheduleName: name })).map((w) => w.workflowID).sort()).toEqual(expected);
    await client.deleteSchedule(name);
  });

  it('fires the ticks due since the last one with Python IDs, each once', async () => {
    const name = scheduleName('hourly');
    await client.createSchedule({
      scheduleName: name,
      workflowName: 'tick',
      schedule: '0 0 * * * *',
      context: { src: 'edge', n: 1 },
    });
    // DBOS Python's client reads the schedule dbos-edge wrote, context included.
    const [read] = await probePython(target, [{ op: 'schedule', name }]);
    expect(read).toEqual({ schedule_name: name, context: { src: 'edge', n: 1 }, status: 'ACTIVE' });
    const base = Date.UTC(2027, 0, 1, 10, 30);
    // A schedule never fired starts from the first tick's "now".
    const start = await client.runScheduleTick({ now: new Date(base), idFormat: 'python' });
    expect(start.schedules.find((s) => s.scheduleName === name)?.fired).toEqual([]);
    const later = await client.runScheduleTick({ now: new Date(base + 2 * 3600_000), idFormat: 'python' });
    const fired = later.schedules.find((s) => s.scheduleName === name)?.fired;
    expect(fired).toEqual([`sched-${name}-2027-01-01T11:00:00+00:00`, `sched-${name}-2027-01-01T12:00:00+00:00`]);
    const again = await client.runScheduleTick({ now: new Date(base + 2 * 3600_000), idFormat: 'python' });
    expect(again.schedules.find((s) => s.scheduleName === name)?.fired).toEqual([]);
    await client.deleteSchedule(name);
    const results = await Promise.all((fired ?? []).map((id) => client.retrieveWorkflow(id).getResult(RESULT_WAIT)));
    expect(results).toEqual([
      { at: '2027-01-01T11:00:00+00:00', context: { src: 'edge', n: 1 } },
      { at: '2027-01-01T12:00:00+00:00', context: { src: 'edge', n: 1 } },
    ]);
  });

  it('triggers one run now, which the app runs with the context', async () => {
    const name = scheduleName('trigger');
    await client.createSchedule({ scheduleName: name, workflowName: 'tick', schedule: '0 0 1 1 *', context: 'now' });
    const handle = await client.triggerSchedule(name);
    expect(handle.workflowID.startsWith(`sched-${name}-trigger-`)).toBe(true);
    expect(await handle.getResult(RESULT_WAIT)).toMatchObject({ context: 'now' });
    expect((await handle.getStatus())?.scheduleName).toBe(name);
    await client.deleteSchedule(name);
  });
});

describe("runs of a portable-serializer Python app's own scheduler", () => {
  const { target, client, uid } = pythonSuite('pyownsched', 'portable');

  it('reads a schedule the Python client made, and the runs the app started for it', async () => {
    const name = uid('py_sched').replaceAll('-', '_');
    await scheduleTickWithPython(target, name, { src: 'py' });
    try {
      expect((await client.getSchedule(name))?.context).toEqual({ src: 'py' });
      const run = await firstSuccessfulRun(client, name);
      const at = run.workflowID.slice(`sched-${name}-`.length);
      expect(at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
      expect(run.output).toEqual({ at, context: { src: 'py' } });
      const status = await client.getWorkflow(run.workflowID);
      expect(status?.input).toEqual([new Date(at).toISOString(), { src: 'py' }]);
    } finally {
      await client.deleteSchedule(name);
    }
  });
});
