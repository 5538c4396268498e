/**
 * dbos-edge against a real DBOS Python 2.30 app (test/interop/python/app.py), in both of its serializer variants:
 * what dbos-edge enqueues in portable JSON, the Python app runs, and dbos-edge reads back. Every enqueue option,
 * results and typed errors, list filters, and DBOS Python's own DBOSClient asked the same questions.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DBOSAwaitedWorkflowCancelledError,
  type DBOSClient,
  DBOSConflictingWorkflowError,
  DBOSQueueDuplicatedError,
  DBOSWorkflowError,
} from '../../src/index.ts';
import { comparable } from './python/compare.ts';
import { probePython } from './python/probe.ts';
import { BOTH_VARIANTS, pythonSuite } from './python/targets.ts';
import { waitUntil } from './worker/harness.ts';

const RESULT_WAIT = { timeoutMs: 20_000 };

describe.concurrent.each(BOTH_VARIANTS)('Python app (%s serializer) runs what dbos-edge enqueues', (serializer) => {
  const { target, client, statusOf, prefix, uid } = pythonSuite('pywf', serializer);

  describe('arguments and results', () => {
    it('passes positional arguments and returns the output as JSON', async () => {
      const id = uid('echo');
      const handle = await client.enqueue({ queueName: 'interop', workflowName: 'echo', workflowID: id }, 1, 'two', {
        k: [3, null],
      });
      expect(await handle.getResult(RESULT_WAIT)).toEqual({ args: [1, 'two', { k: [3, null] }], kwargs: {} });
      const status = await client.getWorkflow(id);
      expect(status).toMatchObject({
        status: 'SUCCESS',
        workflowName: 'echo',
        queueName: 'interop',
        serialization: 'portable_json',
        applicationName: target.appName,
        // No version was asked for: the app that ran it stamped its own.
        applicationVersion: target.appVersion,
        input: [1, 'two', { k: [3, null] }],
        output: { args: [1, 'two', { k: [3, null] }], kwargs: {} },
      });
    });

    it('passes keyword arguments with enqueuePortable', async () => {
      const handle = await client.enqueuePortable(
        { queueName: 'interop', workflowName: 'echo', workflowID: uid('kwargs') },
        ['p'],
        { flag: true, nested: { ü: '✓' }, none: null },
      );
      expect(await handle.getResult(RESULT_WAIT)).toEqual({
        args: ['p'],
        kwargs: { flag: true, nested: { ü: '✓' }, none: null },
      });
      // Read back as they were given, by dbos-edge and by DBOS Python's own client.
      const status = await handle.getStatus();
      expect(status).toMatchObject({ input: ['p'], namedArgs: { flag: true, nested: { ü: '✓' }, none: null } });
      const [theirs] = await probePython(target, [{ op: 'status', id: handle.workflowID }]);
      expect(comparable(status ?? undefined)).toEqual(theirs);
    });

    it('runs a workflow given only keyword arguments', async () => {
      const handle = await client.enqueuePortable(
        { queueName: 'interop', workflowName: 'add', workflowID: uid('add') },
        [],
        { a: 2, b: 40 },
      );
      expect(await handle.getResult(RESULT_WAIT)).toBe(42);
    });

    it('rebuilds a ValueError as a DBOSWorkflowError with its Python name and message', async () => {
      const id = uid('value-error');
      const handle = await client.enqueue({ queueName: 'interop', workflowName: 'fail_value', workflowID: id }, 'bad');
      const error = await handle.getResult(RESULT_WAIT).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DBOSWorkflowError);
      expect(error).toMatchObject({ name: 'ValueError', message: 'bad', workflowID: id, errorCode: null });
      const status = await client.getWorkflow(id);
      expect(status?.status).toBe('ERROR');
      expect(status?.error).toMatchObject({ name: 'ValueError', message: 'bad' });
    });

    it('rebuilds a user-defined exception with its class name', async () => {
      const handle = await client.enqueue(
        { queueName: 'interop', workflowName: 'fail_custom', workflowID: uid('custom-error') },
        'card declined',
      );
      const error = await handle.getResult(RESULT_WAIT).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DBOSWorkflowError);
      // DBOS Python carries an exception's `code` attribute into the portable error.
      expect(error).toMatchObject({ name: 'PaymentError', message: 'card declined', errorCode: 'E_PAY' });
    });
  });

  describe('enqueue options', () => {
    it('hands the authenticated user and roles to DBOS.authenticated_user/roles', async () => {
      const id = uid('whoami');
      const handle = await client.enqueue({
        queueName: 'interop',
        workflowName: 'whoami',
        workflowID: id,
        authenticatedUser: 'alice',
        authenticatedRoles: ['admin', 'ops'],
      });
      expect(await handle.getResult(RESULT_WAIT)).toEqual({ user: 'alice', roles: ['admin', 'ops'], workflow_id: id });
      expect(await client.getWorkflow(id)).toMatchObject({
        authenticatedUser: 'alice',
        authenticatedRoles: ['admin', 'ops'],
      });
    });

    it('runs a workflow pinned to the app version, and leaves one pinned to another version queued (listed alike by both clients)', async () => {
      const elsewhere = await client.enqueue(
        { queueName: 'interop', workflowName: 'add', workflowID: uid('other-version'), appVersion: 'not-running' },
        1,
        1,
      );
      const pinned = await client.enqueue(
        { queueName: 'interop', workflowName: 'add', workflowID: uid('pinned'), appVersion: target.appVersion },
        2,
        2,
      );
      expect(await pinned.getResult(RESULT_WAIT)).toBe(4);
      expect(await statusOf(elsewhere.workflowID)).toBe('ENQUEUED');
      const queued = await client.listQueuedWorkflows({ workflowIDs: [elsewhere.workflowID, pinned.workflowID] });
      expect(queued.map((w) => [w.workflowID, w.applicationVersion])).toEqual([[elsewhere.workflowID, 'not-running']]);
      const [theirs] = await probePython(target, [
        { op: 'list', filters: { workflow_ids: [elsewhere.workflowID, pinned.workflowID], queues_only: true } },
      ]);
      expect(theirs).toEqual(queued.map(comparable));
      await client.cancelWorkflow(elsewhere.workflowID);
    });

    it('refuses a second enqueue with the same deduplication ID while the first is active', async () => {
      const dedup = uid('dedup');
      const first = await client.enqueue(
        { queueName: 'interop', workflowName: 'gated_steps', workflowID: uid('dedup-first'), deduplicationID: dedup },
        'first',
      );
      const second = await client
        .enqueue({ queueName: 'interop', workflowName: 'add', deduplicationID: dedup }, 1, 2)
        .catch((e: unknown) => e);
      expect(second).toBeInstanceOf(DBOSQueueDuplicatedError);
      expect(second).toMatchObject({ queueName: 'interop', deduplicationID: dedup });
      const existing = await client.enqueue(
        { queueName: 'interop', workflowName: 'add', deduplicationID: dedup, duplicationPolicy: 'return-existing' },
        1,
        2,
      );
      expect(existing.workflowID).toBe(first.workflowID);
      expect((await client.getWorkflow(first.workflowID))?.deduplicationID).toBe(dedup);
      await client.send(first.workflowID, 'go', 'go');
      expect(await first.getResult(RESULT_WAIT)).toEqual(['first', expect.any(String), 'go', expect.any(String)]);
      // DBOS clears the deduplication ID when the workflow finishes, so the ID is free again.
      expect((await client.getWorkflow(first.workflowID))?.deduplicationID).toBeUndefined();
      const later = await client.enqueue({ queueName: 'interop', workflowName: 'add', deduplicationID: dedup }, 1, 2);
      expect(await later.getResult(RESULT_WAIT)).toBe(3);
    });

    it('returns the existing workflow for a reused ID, or refuses it with workflowIDReusePolicy reject', async () => {
      const id = uid('reuse');
      const first = await client.enqueue({ queueName: 'interop', workflowName: 'add', workflowID: id }, 1, 2);
      const again = await client.enqueue({ queueName: 'interop', workflowName: 'add', workflowID: id }, 5, 5);
      expect(await again.getResult(RESULT_WAIT)).toBe(3);
      expect(again.workflowID).toBe(first.workflowID);
      const rejected = await client
        .enqueue({ queueName: 'interop', workflowName: 'add', workflowID: id, workflowIDReusePolicy: 'reject' }, 1, 2)
        .catch((e: unknown) => e);
      expect(rejected).toBeInstanceOf(DBOSConflictingWorkflowError);
    });

    it('drains a priority queue highest priority (lowest number) first', async () => {
      const gate = await client.enqueue(
        { queueName: 'serial', workflowName: 'gated_steps', workflowID: uid('gate') },
        'gate',
      );
      // The queue runs one at a time: once the gate runs, everything after it waits.
      await waitUntil(async () => (await statusOf(gate.workflowID)) === 'PENDING', RESULT_WAIT);
      const low = await client.enqueue(
        { queueName: 'serial', workflowName: 'add', workflowID: uid('low'), priority: 9 },
        1,
        0,
      );
      const high = await client.enqueue(
        { queueName: 'serial', workflowName: 'add', workflowID: uid('high'), priority: 1 },
        2,
        0,
      );
      await client.send(gate.workflowID, 'go', 'go');
      expect(await low.getResult(RESULT_WAIT)).toBe(1);
      expect(await high.getResult(RESULT_WAIT)).toBe(2);
      const [lowStatus, highStatus] = await Promise.all([low.getStatus(), high.getStatus()]);
      expect(lowStatus?.priority).toBe(9);
      expect(highStatus?.priority).toBe(1);
      expect(highStatus?.dequeuedAt).toBeLessThan(lowStatus?.dequeuedAt ?? 0);
    });

    it('runs partitions of a partitioned queue independently', async () => {
      const blocker = await client.enqueue(
        {
          queueName: 'partitioned',
          workflowName: 'gated_steps',
          workflowID: uid('part-a-gate'),
          queuePartitionKey: 'a',
        },
        'gate',
      );
      await waitUntil(async () => (await statusOf(blocker.workflowID)) === 'PENDING', RESULT_WAIT);
      const behind = await client.enqueue(
        { queueName: 'partitioned', workflowName: 'add', workflowID: uid('part-a'), queuePartitionKey: 'a' },
        1,
        1,
      );
      const other = await client.enqueue(
        { queueName: 'partitioned', workflowName: 'add', workflowID: uid('part-b'), queuePartitionKey: 'b' },
        2,
        2,
      );
      expect(await other.getResult(RESULT_WAIT)).toBe(4);
      expect(await statusOf(behind.workflowID)).toBe('ENQUEUED');
      await client.send(blocker.workflowID, 'go', 'go');
      expect(await behind.getResult(RESULT_WAIT)).toBe(2);
      expect((await behind.getStatus())?.queuePartitionKey).toBe('a');
    });

    it('cancels a workflow that outlives workflowTimeoutMS', async () => {
      const id = uid('timeout');
      const handle = await client.enqueue(
        { queueName: 'interop', workflowName: 'sleeper', workflowID: id, workflowTimeoutMS: 300 },
        30,
      );
      expect(await handle.getResult(RESULT_WAIT).catch((e: unknown) => e)).toBeInstanceOf(
        DBOSAwaitedWorkflowCancelledError,
      );
      const status = await client.getWorkflow(id);
      expect(status).toMatchObject({ status: 'CANCELLED', timeoutMS: 300 });
      // The app sets the deadline at dequeue and cancels once it has passed, taking the row off its queue
      // (queue, dequeue time and dedup ID cleared).
      expect(status?.deadlineEpochMS).toEqual(expect.any(Number));
      expect(status?.completedAt).toBeGreaterThanOrEqual(status?.deadlineEpochMS ?? Number.POSITIVE_INFINITY);
      expect(status?.queueName).toBeUndefined();
      expect(status?.dequeuedAt).toBeUndefined();
    });

    it('holds a delayed workflow as DELAYED until its delay has passed', async () => {
      const handle = await client.enqueue(
        { queueName: 'interop', workflowName: 'add', workflowID: uid('delayed'), delaySeconds: 1 },
        3,
        4,
      );
      const queued = await handle.getStatus();
      expect(queued?.status).toBe('DELAYED');
      expect(queued?.delayUntilEpochMS).toBeGreaterThan(queued?.createdAt ?? Number.POSITIVE_INFINITY);
      expect(await handle.getResult(RESULT_WAIT)).toBe(7);
      const done = await handle.getStatus();
      expect(done?.dequeuedAt).toBeGreaterThanOrEqual(queued?.delayUntilEpochMS ?? Number.POSITIVE_INFINITY);
    });
  });

  describe('listing', () => {
    let ids: { echo: string; failed: string; alice: string };

    beforeAll(async () => {
      const listPrefix = `${prefix}list-`;
      const echo = await client.enqueue(
        { queueName: 'interop', workflowName: 'echo', workflowID: `${listPrefix}echo` },
        'listed',
      );
      const failed = await client.enqueue(
        { queueName: 'interop', workflowName: 'fail_value', workflowID: `${listPrefix}failed` },
        'listed',
      );
      const alice = await client.enqueue({
        queueName: 'serial',
        workflowName: 'whoami',
        workflowID: `${listPrefix}alice`,
        authenticatedUser: 'alice',
        priority: 3,
      });
      await Promise.allSettled([echo, failed, alice].map((h) => h.getResult(RESULT_WAIT)));
      ids = { echo: echo.workflowID, failed: failed.workflowID, alice: alice.workflowID };
    });

    const listIds = async (filter: Parameters<DBOSClient['listWorkflows']>[0]) =>
      (await client.listWorkflows({ workflowIDPrefix: `${prefix}list-`, ...filter })).map((w) => w.workflowID).sort();

    it('filters by name, status, user, queue, version and ID', async () => {
      expect(await listIds({})).toEqual([ids.alice, ids.echo, ids.failed].sort());
      expect(await listIds({ workflowName: 'echo' })).toEqual([ids.echo]);
      expect(await listIds({ status: 'ERROR' })).toEqual([ids.failed]);
      expect(await listIds({ authenticatedUser: 'alice' })).toEqual([ids.alice]);
      expect(await listIds({ queueName: 'serial' })).toEqual([ids.alice]);
      expect(await listIds({ applicationVersion: target.appVersion })).toHaveLength(3);
      expect(await listIds({ applicationVersion: 'nope' })).toEqual([]);
      expect(await listIds({ workflowIDs: [ids.echo, ids.failed] })).toEqual([ids.echo, ids.failed].sort());
      expect(await listIds({ status: ['SUCCESS', 'ERROR'], workflowName: ['echo', 'fail_value'] })).toEqual(
        [ids.echo, ids.failed].sort(),
      );
    });

    it('filters by time and sorts newest first on request', async () => {
      const all = await client.listWorkflows({ workflowIDPrefix: `${prefix}list-`, sortDesc: true });
      const created = all.map((w) => w.createdAt);
      expect(created).toEqual([...created].sort((a, b) => b - a));
      const oldest = Math.min(...created);
      expect(await listIds({ startTime: new Date(oldest + 1) })).not.toContain(all.at(-1)?.workflowID);
      expect(await listIds({ completedAfter: new Date(0) })).toHaveLength(3);
    });

    it('gives the same statuses, results and listing as DBOS Python’s DBOSClient, field by field', async () => {
      const ours = await Promise.all([ids.echo, ids.failed, ids.alice].map((id) => client.getWorkflow(id)));
      const theirs = await probePython(target, [
        { op: 'status', id: ids.echo },
        { op: 'status', id: ids.failed },
        { op: 'status', id: ids.alice },
        { op: 'result', id: ids.echo },
        { op: 'result', id: ids.failed },
        { op: 'list', filters: { workflow_id_prefix: `${prefix}list-` } },
      ]);
      for (const [index, status] of ours.entries()) expect(comparable(status)).toEqual(theirs[index]);
      expect(theirs[3]).toEqual({ output: { args: ['listed'], kwargs: {} } });
      expect(theirs[4]).toEqual({ error: { name: 'ValueError', message: 'listed' } });
      const listed = await client.listWorkflows({ workflowIDPrefix: `${prefix}list-` });
      expect(listed.map(comparable)).toEqual(theirs[5]);
    });
  });
});

describe('workflows a portable-serializer Python app starts itself', () => {
  const { target, client } = pythonSuite('pyown', 'portable');

  it('reads their inputs, outputs and errors, as the Python client does', async () => {
    await Promise.allSettled(
      ['py-own-echo', 'py-own-value-error'].map((id) => client.retrieveWorkflow(id).getResult(RESULT_WAIT)),
    );
    const echo = await client.getWorkflow('py-own-echo');
    expect(echo).toMatchObject({
      status: 'SUCCESS',
      input: ['own', 1],
      namedArgs: { flag: true },
      output: { args: ['own', 1], kwargs: { flag: true } },
    });
    const failure = await client.getWorkflow('py-own-failure');
    expect(failure?.error).toBeInstanceOf(DBOSWorkflowError);
    expect(failure?.error).toMatchObject({ name: 'PaymentError', message: 'own failure' });
    const [theirs] = await probePython(target, [{ op: 'status', id: 'py-own-echo' }]);
    expect(comparable(echo)).toEqual(theirs);
  });
});
