/**
 * Driving running DBOS Python workflows from dbos-edge: cancel, resume, fork, bulk operations, waitFirst, messages
 * with topics and idempotency keys, events and streams. Against both variants of test/interop/python/app.py;
 * reading step outputs needs the portable variant here (the pickle variant's are in python-pickle.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { DBOSAwaitedWorkflowCancelledError, type StepInfo } from '../../src/index.ts';
import { comparableStep } from './python/compare.ts';
import { probePython } from './python/probe.ts';
import { BOTH_VARIANTS, pythonSuite } from './python/targets.ts';
import { waitUntil } from './worker/harness.ts';

const RESULT_WAIT = { timeoutMs: 20_000 };

describe.concurrent.each(BOTH_VARIANTS)('dbos-edge drives the Python app (%s serializer)', (serializer) => {
  const { target, client, statusOf, prefix, uid } = pythonSuite('pyctl', serializer);
  const waitForStatus = (id: string, status: string) =>
    waitUntil(async () => (await statusOf(id)) === status, RESULT_WAIT);

  /** gated_steps: a random step, then it waits for a message on topic `go`, then another random step. */
  const startGated = (label: string) =>
    client.enqueue<unknown[]>({ queueName: 'interop', workflowName: 'gated_steps', workflowID: uid(label) }, label);

  describe('cancel, resume, fork', () => {
    it('cancels a waiting workflow, and resumes it under the same ID', async () => {
      const handle = await startGated('cancel-resume');
      await waitForStatus(handle.workflowID, 'PENDING');
      await client.cancelWorkflow(handle.workflowID);
      expect(await statusOf(handle.workflowID)).toBe('CANCELLED');
      expect(await handle.getResult(RESULT_WAIT).catch((e: unknown) => e)).toBeInstanceOf(
        DBOSAwaitedWorkflowCancelledError,
      );
      const resumed = await client.resumeWorkflow<unknown[]>(handle.workflowID);
      expect(resumed.workflowID).toBe(handle.workflowID);
      await client.send(handle.workflowID, 'resumed', 'go');
      const result = await resumed.getResult(RESULT_WAIT);
      expect(result).toEqual(['cancel-resume', expect.any(String), 'resumed', expect.any(String)]);
      expect((await client.getWorkflow(handle.workflowID))?.recoveryAttempts).toBeGreaterThanOrEqual(1);
    });

    it('forks a finished workflow from step 1 (Python numbers from 1): everything runs again', async () => {
      const original = await startGated('fork-all');
      await client.send(original.workflowID, 'first', 'go');
      const before = await original.getResult(RESULT_WAIT);
      const fork = await client.forkWorkflow<unknown[]>(original.workflowID, 1);
      await client.send(fork.workflowID, 'again', 'go');
      const after = await fork.getResult(RESULT_WAIT);
      expect(after[0]).toBe('fork-all');
      expect(after[1]).not.toBe(before[1]);
      expect(after[2]).toBe('again');
      expect(await fork.getStatus()).toMatchObject({ forkedFrom: original.workflowID, status: 'SUCCESS' });
      expect((await client.getWorkflow(original.workflowID))?.wasForkedFrom).toBe(true);
      expect((await client.listWorkflows({ forkedFrom: original.workflowID })).map((w) => w.workflowID)).toEqual([
        fork.workflowID,
      ]);
    });

    it('forks from step 2: step 1 is copied, the wait and what follows run again', async () => {
      const original = await startGated('fork-later');
      await client.send(original.workflowID, 'first', 'go');
      const before = await original.getResult(RESULT_WAIT);
      const fork = await client.forkWorkflow<unknown[]>(original.workflowID, 2, { newWorkflowID: uid('forked') });
      await client.send(fork.workflowID, 'second', 'go');
      const after = await fork.getResult(RESULT_WAIT);
      expect(after[1]).toBe(before[1]);
      expect(after[2]).toBe('second');
      expect(after[3]).not.toBe(before[3]);
    });

    it('cancels every unfinished match of a filter, and resumes them all', async () => {
      const bulkPrefix = `${prefix}bulk-`;
      const handles = await Promise.all(
        [1, 2, 3].map((n) =>
          client.enqueue<unknown[]>(
            { queueName: 'interop', workflowName: 'gated_steps', workflowID: `${bulkPrefix}${n}` },
            `bulk-${n}`,
          ),
        ),
      );
      await Promise.all(handles.map((h) => waitForStatus(h.workflowID, 'PENDING')));
      expect(await client.cancelWorkflows({ filter: { workflowIDPrefix: bulkPrefix } })).toEqual({ count: 3 });
      expect(await client.cancelWorkflows({ filter: { workflowIDPrefix: bulkPrefix } })).toEqual({ count: 0 });
      expect(
        (await client.listWorkflows({ workflowIDPrefix: bulkPrefix })).every((w) => w.status === 'CANCELLED'),
      ).toBe(true);
      expect(await client.resumeWorkflows({ filter: { workflowIDPrefix: bulkPrefix } })).toEqual({ count: 3 });
      await Promise.all(handles.map((h) => client.send(h.workflowID, 'bulk', 'go')));
      const results = await Promise.all(handles.map((h) => h.getResult(RESULT_WAIT)));
      expect(results.map((r) => r[0])).toEqual(['bulk-1', 'bulk-2', 'bulk-3']);
    });

    it('waitFirst returns the first workflow to finish', async () => {
      const waiting = await startGated('wait-first-slow');
      const quick = await client.enqueue({ queueName: 'interop', workflowName: 'add', workflowID: uid('quick') }, 1, 2);
      const first = await client.waitFirst([waiting, quick], RESULT_WAIT);
      expect(first.workflowID).toBe(quick.workflowID);
      await client.cancelWorkflow(waiting.workflowID);
      expect((await client.waitFirst([waiting.workflowID], RESULT_WAIT)).workflowID).toBe(waiting.workflowID);
    });
  });

  describe('many at once', () => {
    it('enqueues a batch with keyword arguments, messages it in one statement, and deletes it when done', async () => {
      const batchPrefix = `${prefix}many-`;
      const results = await client.enqueueMany<unknown[]>(
        ['a', 'b'].map((topic) => ({
          options: { queueName: 'interop', workflowName: 'receive', workflowID: `${batchPrefix}${topic}` },
          args: [],
          namedArgs: { topic, count: 1, timeout: 10 },
        })),
      );
      const handles = results.map((r) => {
        if (!r.ok) throw r.error;
        return r.handle;
      });
      await client.sendMany([
        { destinationID: `${batchPrefix}a`, message: 'for a', topic: 'a' },
        { destinationID: `${batchPrefix}b`, message: 'for b', topic: 'b' },
      ]);
      expect(await Promise.all(handles.map((h) => h.getResult(RESULT_WAIT)))).toEqual([['for a'], ['for b']]);
      expect(await client.deleteWorkflows({ filter: { workflowIDPrefix: batchPrefix } })).toEqual({ count: 2 });
      const [theirs] = await probePython(target, [{ op: 'list', filters: { workflow_id_prefix: batchPrefix } }]);
      expect(theirs).toEqual([]);
    });
  });

  describe('messages, events, streams', () => {
    it('delivers messages by topic, in order, to DBOS.recv', async () => {
      const handle = await client.enqueue<unknown[]>(
        { queueName: 'interop', workflowName: 'receive', workflowID: uid('topics') },
        'orders',
        2,
        10,
      );
      await client.send(handle.workflowID, { n: 1 }, 'orders');
      await client.send(handle.workflowID, 'ignored', 'other');
      await client.send(handle.workflowID, 'ignored too');
      await client.send(handle.workflowID, [2, 'two'], 'orders');
      expect(await handle.getResult(RESULT_WAIT)).toEqual([{ n: 1 }, [2, 'two']]);
    });

    it('delivers messages without a topic to DBOS.recv(None)', async () => {
      const handle = await client.enqueue<unknown[]>(
        { queueName: 'interop', workflowName: 'receive', workflowID: uid('no-topic') },
        null,
        1,
        10,
      );
      await client.send(handle.workflowID, 'plain');
      expect(await handle.getResult(RESULT_WAIT)).toEqual(['plain']);
    });

    it('delivers a message sent twice with one idempotency key once', async () => {
      const handle = await client.enqueue<unknown[]>(
        { queueName: 'interop', workflowName: 'receive', workflowID: uid('idempotent') },
        't',
        2,
        10,
      );
      const key = uid('key');
      await client.send(handle.workflowID, 'once', 't', key);
      await client.send(handle.workflowID, 'once', 't', key);
      await client.send(handle.workflowID, 'after', 't');
      expect(await handle.getResult(RESULT_WAIT)).toEqual(['once', 'after']);
    });

    it('reads events the workflow sets, and answers its DBOS.recv', async () => {
      const handle = await client.enqueue(
        { queueName: 'interop', workflowName: 'approval', workflowID: uid('approval') },
        10,
      );
      expect(await client.getEvent(handle.workflowID, 'status', RESULT_WAIT)).toBe('waiting');
      await client.send(handle.workflowID, { ok: true, by: 'edge' }, 'approval');
      expect(await handle.getResult(RESULT_WAIT)).toEqual({ ok: true, by: 'edge' });
      expect(await client.getEvent(handle.workflowID, 'status', RESULT_WAIT)).toBe('decided');
      expect(await client.getEvent(handle.workflowID, 'decision', RESULT_WAIT)).toEqual({ ok: true, by: 'edge' });
      expect(await client.getEvent(handle.workflowID, 'never-set', { timeoutMs: 100 })).toBeNull();
    });

    it('reads every event of a workflow with the same values as the Python client', async () => {
      const events = { plain: 'text', nested: { list: [1, 2.5, null], flag: false }, unicode: 'ü✓' };
      const handle = await client.enqueue(
        { queueName: 'interop', workflowName: 'publish_events', workflowID: uid('events') },
        events,
      );
      expect(await handle.getResult(RESULT_WAIT)).toEqual(['nested', 'plain', 'unicode']);
      const ours = await Promise.all(Object.keys(events).map((key) => client.getEvent(handle.workflowID, key)));
      const theirs = await probePython(
        target,
        Object.keys(events).map((key) => ({ op: 'get_event', id: handle.workflowID, key })),
      );
      expect(ours).toEqual(Object.values(events));
      expect(theirs).toEqual(ours);
    });

    it('reads a stream to its close, and one that ends with its workflow', async () => {
      const closed = await client.enqueue(
        { queueName: 'interop', workflowName: 'streamer', workflowID: uid('stream-closed') },
        4,
        true,
      );
      const values: unknown[] = [];
      for await (const value of client.readStream(closed.workflowID, 'values', RESULT_WAIT)) values.push(value);
      expect(values).toEqual([0, 1, 2, 3].map((index) => ({ index })));

      const open = await client.enqueue(
        { queueName: 'interop', workflowName: 'streamer', workflowID: uid('stream-open') },
        2,
        false,
      );
      const rest: unknown[] = [];
      for await (const value of client.readStream(open.workflowID, 'values', RESULT_WAIT)) rest.push(value);
      expect(rest).toEqual([{ index: 0 }, { index: 1 }]);
      const [pythonRead] = await probePython(target, [{ op: 'read_stream', id: closed.workflowID, key: 'values' }]);
      expect(pythonRead).toEqual(values);
    });
  });
});

describe.each(BOTH_VARIANTS)('step outputs of the %s Python app', (serializer) => {
  const { target, client, uid } = pythonSuite('pysteps-list', serializer);

  // Steps are written with the app's own serializer, pickle by default, even inside a portable workflow.
  it('lists the steps numbered from 1 with their outputs, as the Python client does', async () => {
    const handle = await client.enqueue(
      { queueName: 'interop', workflowName: 'three_steps', workflowID: uid('steps') },
      'tag',
    );
    expect(await handle.getResult(RESULT_WAIT)).toEqual(['tag-1', 'tag-2', 'tag-3']);
    const steps = (await client.listWorkflowSteps(handle.workflowID)) as StepInfo[];
    expect(steps.map((s) => [s.functionID, s.name, s.output, s.error])).toEqual([
      [1, 'label_step', 'tag-1', null],
      [2, 'label_step', 'tag-2', null],
      [3, 'label_step', 'tag-3', null],
    ]);
    const [theirs] = await probePython(target, [{ op: 'steps', id: handle.workflowID }]);
    expect(theirs).toEqual(steps.map(comparableStep));
  });
});

describe('step outputs of a portable-serializer Python app', () => {
  const { client, uid } = pythonSuite('pysteps', 'portable');

  it('resumes a cancelled workflow with its finished step replayed, not run again', async () => {
    const handle = await client.enqueue<unknown[]>(
      { queueName: 'interop', workflowName: 'gated_steps', workflowID: uid('replay') },
      'replay',
    );
    let firstStep: StepInfo | undefined;
    await waitUntil(async () => {
      firstStep = ((await client.listWorkflowSteps(handle.workflowID)) as StepInfo[])[0];
      return firstStep !== undefined;
    }, RESULT_WAIT);
    await client.cancelWorkflow(handle.workflowID);
    await client.resumeWorkflow(handle.workflowID);
    await client.send(handle.workflowID, 'go', 'go');
    expect((await handle.getResult(RESULT_WAIT))[1]).toBe(firstStep?.output);
  });

  it('numbers the steps of a workflow that waited: its step, DBOS.recv and its sleep, the next step', async () => {
    const handle = await client.enqueue<unknown[]>(
      { queueName: 'interop', workflowName: 'gated_steps', workflowID: uid('gated') },
      'gated',
    );
    await client.send(handle.workflowID, 'go!', 'go');
    const result = await handle.getResult(RESULT_WAIT);
    const steps = (await client.listWorkflowSteps(handle.workflowID)) as StepInfo[];
    expect(steps[0]).toMatchObject({ functionID: 1, name: 'random_step', output: result[1] });
    // DBOS.recv takes two step numbers: the receive, then the sleep that holds its deadline.
    expect(steps.map((s) => [s.functionID, s.name])).toEqual([
      [1, 'random_step'],
      [2, 'DBOS.recv'],
      [3, 'DBOS.sleep'],
      [4, 'random_step'],
    ]);
    expect(steps[1]?.output).toBe('go!');
    expect(steps[3]?.output).toBe(result[3]);
  });
});
