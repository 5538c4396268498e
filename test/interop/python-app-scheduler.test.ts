/**
 * Schedules dbos-edge writes, fired by the Python app's own scheduler and read by DBOS Python's client, in both
 * variants (issue 12, item 4): the default-serializer app, detected from its pickled rows, gets pickled contexts;
 * the portable app, named by `schedulerApp`, portable ones. Neither scheduler ever stops: after dbos-edge creates,
 * updates, pauses and deletes schedules, pausing the app's own schedule still stops it.
 */
import { describe, expect, it } from 'vitest';
import { decodePickle } from '../../src/pickle/decode.ts';
import { firstSuccessfulRun, scheduleTickWithPython } from './python/app-schedules.ts';
import { probePython } from './python/probe.ts';
import { BOTH_VARIANTS, pythonSuite } from './python/targets.ts';
import { waitUntil } from './worker/harness.ts';

describe.each(BOTH_VARIANTS)('a dbos-edge schedule of the %s Python app', (serializer) => {
  const { client, target, uid } = pythonSuite('pyappsched', serializer);
  const scheduleName = (label: string) => uid(label).replaceAll('-', '_');

  it("is written in the app's format, read intact by Python's client, and run by the app's own scheduler", async () => {
    const name = scheduleName('every_second');
    const context = { source: 'edge', n: 1, tags: ['a', 'b'] };
    await client.createSchedule({ scheduleName: name, workflowName: 'tick', schedule: '* * * * * *', context });
    try {
      const [row] = await client.listSchedules({ scheduleNamePrefix: name });
      expect(row?.context).toEqual(context);
      const stored = await storedContext(target.databaseUrl, name);
      if (serializer === 'pickle') expect(decodePickle(stored)).toEqual(context);
      else expect(JSON.parse(stored)).toEqual(context);

      const [read] = await probePython(target, [{ op: 'schedule', name }]);
      expect(read).toEqual({ schedule_name: name, context, status: 'ACTIVE' });

      const run = await firstSuccessfulRun(client, name);
      const at = run.workflowID.slice(`sched-${name}-`.length);
      expect(at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
      expect(run.output).toEqual({ at, context });
    } finally {
      await client.deleteSchedule(name);
    }
  });

  it('leaves the app managing its own schedules: after dbos-edge’s changes, pausing one stops it', async () => {
    const own = scheduleName('own');
    await scheduleTickWithPython(target, own, 'python');
    const edge = scheduleName('edge');
    try {
      await firstSuccessfulRun(client, own);
      await client.createSchedule({ scheduleName: edge, workflowName: 'tick', schedule: '0 0 1 1 *', context: 1 });
      await client.updateSchedule(edge, { context: { changed: true }, schedule: '0 0 2 1 *' });
      await client.pauseSchedule(edge);
      await client.resumeSchedule(edge);
      await client.deleteSchedule(edge);

      await probePython(target, [{ op: 'pause_schedule', name: own }]);
      // The scheduler polls every second: once two polls show no new run, the schedule has stopped.
      const count = async () => (await client.listWorkflows({ scheduleName: own, loadInput: false })).length;
      let last = await count();
      let quiet = 0;
      await waitUntil(
        async () => {
          const now = await count();
          quiet = now === last ? quiet + 1 : 0;
          last = now;
          return quiet >= 4;
        },
        { timeoutMs: 30_000, intervalMs: 750 },
      );
    } finally {
      await client.deleteSchedule(own);
    }
  });
});

async function storedContext(databaseUrl: string, name: string): Promise<string> {
  const { default: postgres } = await import('postgres');
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql`SELECT context FROM dbos.workflow_schedules WHERE schedule_name = ${name}`;
    return String(row?.context);
  } finally {
    await sql.end();
  }
}
