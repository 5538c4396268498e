/**
 * What dbos-edge must read in pickle: the data of a DBOS Python app with its default serializer
 * (test/interop/python/app.py, pickle variant). Step outputs are pickled even in workflows dbos-edge enqueued in
 * portable JSON; workflows the app starts itself (`py-own-*`, started at launch), runs of its own scheduler and
 * what DBOS Python's client enqueues by default carry pickled inputs, outputs and errors; schedule contexts are
 * base64 pickle. Every answer is compared with DBOS Python's own client where it can give one.
 */
import { describe, expect, it } from 'vitest';
import { DBOSWorkflowError, type StepInfo } from '../../src/index.ts';
import { firstSuccessfulRun, scheduleTickWithPython } from './python/app-schedules.ts';
import { comparable, comparableStep } from './python/compare.ts';
import { probePython } from './python/probe.ts';
import { pythonSuite } from './python/targets.ts';

const RESULT_WAIT = { timeoutMs: 20_000 };

describe('reading the pickled data of a default-serializer Python app', () => {
  const { target, client, uid } = pythonSuite('pypickle', 'pickle');

  it('reads a workflow the app started itself: inputs, output and steps, as the Python client does', async () => {
    await client.retrieveWorkflow('py-own-steps').getResult(RESULT_WAIT);
    const echo = await client.getWorkflow('py-own-echo');
    expect(echo).toMatchObject({
      status: 'SUCCESS',
      serialization: 'py_pickle',
      input: ['own', 1],
      output: { args: ['own', 1], kwargs: { flag: true } },
    });
    expect(await client.retrieveWorkflow('py-own-echo').getResult(RESULT_WAIT)).toEqual({
      args: ['own', 1],
      kwargs: { flag: true },
    });
    const steps = (await client.listWorkflowSteps('py-own-steps')) as StepInfo[];
    expect(steps.map((s) => s.output)).toEqual(['own-1', 'own-2', 'own-3']);
    const [status, stepsTheirs] = await probePython(target, [
      { op: 'status', id: 'py-own-echo' },
      { op: 'steps', id: 'py-own-steps' },
    ]);
    // The Python client keeps keyword arguments apart; dbos-edge's input is the positional list, namedArgs the rest.
    expect(echo?.namedArgs).toEqual({ flag: true });
    expect(comparable(echo)).toEqual(status);
    expect(stepsTheirs).toEqual(steps.map(comparableStep));
  });

  it('rebuilds a pickled builtin exception as a DBOSWorkflowError with its name and message', async () => {
    const error = await client
      .retrieveWorkflow('py-own-value-error')
      .getResult(RESULT_WAIT)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DBOSWorkflowError);
    expect(error).toMatchObject({ name: 'ValueError', message: 'own value error' });
    expect((await client.getWorkflow('py-own-value-error'))?.error).toMatchObject({
      name: 'ValueError',
      message: 'own value error',
    });
  });

  it("rebuilds a pickled exception of the app's own class as a DBOSWorkflowError, as the portable variant does", async () => {
    const status = await client.getWorkflow('py-own-failure');
    expect(status?.status).toBe('ERROR');
    expect(status?.error).toBeInstanceOf(DBOSWorkflowError);
    expect(status?.error).toMatchObject({ name: 'PaymentError', message: 'own failure', errorCode: 'E_PAY' });
    const error = await client
      .retrieveWorkflow('py-own-failure')
      .getResult(RESULT_WAIT)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DBOSWorkflowError);
    expect(error).toMatchObject({
      name: 'PaymentError',
      message: 'own failure',
      errorCode: 'E_PAY',
      workflowID: 'py-own-failure',
    });
  });

  it("rebuilds one the Python client enqueued (pickled throughout) that fails with the app's class", async () => {
    const [id] = (await probePython(target, [
      {
        op: 'enqueue',
        options: { queue_name: 'interop', workflow_name: 'fail_custom', workflow_id: uid('py-client-custom-error') },
        args: ['card declined'],
        kwargs: {},
      },
    ])) as string[];
    const handle = client.retrieveWorkflow(id ?? '');
    const error = await handle.getResult(RESULT_WAIT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DBOSWorkflowError);
    expect(error).toMatchObject({ name: 'PaymentError', message: 'card declined', errorCode: 'E_PAY' });
    expect((await handle.getStatus())?.serialization).toBe('py_pickle');
  });

  it("lists the app's own workflows with their outputs and errors", async () => {
    const listed = await client.listWorkflows({ workflowIDPrefix: 'py-own-', loadOutput: true });
    const byId = new Map(listed.map((w) => [w.workflowID, w]));
    expect(byId.get('py-own-echo')?.output).toEqual({ args: ['own', 1], kwargs: { flag: true } });
    expect(byId.get('py-own-steps')?.output).toEqual(['own-1', 'own-2', 'own-3']);
    expect(byId.get('py-own-failure')?.error).toMatchObject({ name: 'PaymentError', message: 'own failure' });
    expect(byId.get('py-own-value-error')?.error).toMatchObject({ name: 'ValueError' });
  });

  it('reads what the Python client enqueues with its default serializer', async () => {
    const [id] = (await probePython(target, [
      {
        op: 'enqueue',
        options: { queue_name: 'interop', workflow_name: 'echo', workflow_id: uid('py-client') },
        args: [1.5, 'two', [3]],
        kwargs: { k: { nested: null } },
      },
    ])) as string[];
    const handle = client.retrieveWorkflow(id ?? '');
    expect(await handle.getResult(RESULT_WAIT)).toEqual({ args: [1.5, 'two', [3]], kwargs: { k: { nested: null } } });
    expect(await handle.getStatus()).toMatchObject({
      serialization: 'py_pickle',
      input: [1.5, 'two', [3]],
      namedArgs: { k: { nested: null } },
    });
  });

  it('forks a workflow the app started itself, and reads the fork’s result', async () => {
    const fork = await client.forkWorkflow('py-own-steps', 3);
    expect(await fork.getResult(RESULT_WAIT)).toEqual(['own-1', 'own-2', 'own-3']);
  });

  it('reads a schedule the Python client made (pickled context), and the runs its scheduler started', async () => {
    const name = uid('py_sched').replaceAll('-', '_');
    await scheduleTickWithPython(target, name, { src: 'py' });
    try {
      expect((await client.getSchedule(name))?.context).toEqual({ src: 'py' });
      const run = await firstSuccessfulRun(client, name);
      const at = run.workflowID.slice(`sched-${name}-`.length);
      expect(run.output).toEqual({ at, context: { src: 'py' } });
      // The scheduled time is a pickled datetime; its JS form is the decoder's to document.
      expect(run.input).toEqual([expect.anything(), { src: 'py' }]);
    } finally {
      await client.deleteSchedule(name);
    }
  });
});
