/**
 * Schedules made the way a Python user makes them (DBOS Python's client), fired by the app's own scheduler.
 */
import type { DBOSClient, WorkflowStatus } from '../../../src/index.ts';
import { waitUntil } from '../worker/harness.ts';
import { probePython } from './probe.ts';
import type { PythonTarget } from './targets.ts';

/** Has DBOS Python's client create an every-second schedule of the app's `tick` workflow. */
export async function scheduleTickWithPython(target: PythonTarget, name: string, context: unknown): Promise<void> {
  const [answer] = await probePython(target, [
    {
      op: 'create_schedule',
      schedule: { schedule_name: name, workflow_name: 'tick', schedule: '* * * * * *', context },
    },
  ]);
  if (answer !== name) throw new Error(`the Python client did not create schedule ${name}: ${JSON.stringify(answer)}`);
}

/** The first run of the schedule to succeed, with its output, once the app's scheduler has started one. */
export async function firstSuccessfulRun(client: DBOSClient, scheduleName: string): Promise<WorkflowStatus> {
  const runs = () => client.listWorkflows({ scheduleName, status: 'SUCCESS', loadOutput: true });
  await waitUntil(async () => (await runs()).length > 0, { timeoutMs: 20_000 });
  const [run] = await runs();
  if (!run) throw new Error(`no successful run of schedule ${scheduleName}`);
  return run;
}
