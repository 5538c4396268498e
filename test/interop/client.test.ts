/**
 * dbos-edge's client against a real DBOS application (@dbos-inc/dbos-sdk 5.3.0) running as a separate worker
 * process on a real Postgres: what the client enqueues, the worker executes, and the client reads back.
 */
import { DBOSClient as SdkClient } from '@dbos-inc/dbos-sdk';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  DBOSAwaitedWorkflowCancelledError,
  DBOSClient,
  DBOSConflictingWorkflowError,
  DBOSNonExistentWorkflowError,
  DBOSQueueDuplicatedError,
  DBOSWaitTimeoutError,
  DBOSWorkflowError,
  type WorkflowHandle,
} from '../../src/index.ts';
import { waitUntil } from './worker/harness.ts';

const url = inject('interopDatabaseUrl');
const appName = inject('interopAppName');
const appVersion = inject('interopAppVersion');
let client: DBOSClient;
let sdk: SdkClient;
const run = `${Date.now().toString(36)}`;
const uid = (label: string) => `${label}-${run}-${Math.random().toString(36).slice(2, 8)}`;

beforeAll(async () => {
  client = new DBOSClient({ systemDatabaseUrl: url, applicationName: appName, polling: { minIntervalMs: 5 } });
  sdk = await SdkClient.create({ systemDatabaseUrl: url, applicationName: appName });
});

afterAll(async () => {
  await client?.destroy();
  await sdk?.destroy();
});

async function statusOf(id: string) {
  return (await client.getWorkflow(id))?.status;
}

describe('enqueue → a real DBOS worker runs it → result', () => {
  it('runs a plain workflow with portable arguments (the default)', async () => {
    const h = await client.enqueue<number>({ queueName: 'interop', workflowName: 'add' }, 2, 3);
    expect(await h.getResult({ timeoutMs: 20_000 })).toBe(5);
    const s = await h.getStatus();
    expect(s).toMatchObject({
      status: 'SUCCESS',
      workflowName: 'add',
      queueName: 'interop',
      serialization: 'portable_json',
    });
    expect(s?.input).toEqual([2, 3]);
    expect(s?.output).toBe(5);
    expect(s?.applicationName).toBe(appName);
    expect(s?.applicationVersion).toBe(appVersion);
  });

  it('round-trips native (superjson) arguments: Dates, Maps, bigints, nested unicode', async () => {
    const args = [new Date('2026-11-24T12:00:00.000Z'), new Map([['k', { ü: '✓' }]]), 42n, { deep: [1, [2, [3]]] }];
    const h = await client.enqueue<unknown[]>(
      { queueName: 'interop', workflowName: 'echo', serializationType: 'native' },
      ...args,
    );
    expect(await h.getResult({ timeoutMs: 20_000 })).toEqual(args);
    expect((await h.getStatus())?.serialization).toBe('js_superjson');
  });

  it('round-trips portable values as JSON: a Date arrives as its ISO string', async () => {
    const h = await client.enqueue<unknown[]>({ queueName: 'interop', workflowName: 'echo' }, new Date(0), {
      a: [null, 'ü'],
    });
    expect(await h.getResult({ timeoutMs: 20_000 })).toEqual(['1970-01-01T00:00:00.000Z', { a: [null, 'ü'] }]);
  });

  it('reaches class workflows and configured-instance workflows', async () => {
    const r = await client.enqueue(
      { queueName: 'interop', workflowName: 'refund', workflowClassName: 'Billing' },
      'o-1',
      7,
    );
    expect(await r.getResult({ timeoutMs: 20_000 })).toEqual({ orderId: 'o-1', refunded: 7 });
    const g = await client.enqueue(
      { queueName: 'interop', workflowName: 'greet', workflowClassName: 'Greeter', workflowConfigName: 'eu' },
      'Ada',
    );
    expect(await g.getResult({ timeoutMs: 20_000 })).toBe('Hallo, Ada');
    expect(await g.getStatus()).toMatchObject({ workflowClassName: 'Greeter', workflowConfigName: 'eu' });
  });

  it('passes the authenticated user and roles into the workflow', async () => {
    const h = await client.enqueue({
      queueName: 'interop',
      workflowName: 'whoami',
      authenticatedUser: 'ada@example.com',
      authenticatedRoles: ['admin', 'ops'],
    });
    expect(await h.getResult({ timeoutMs: 20_000 })).toEqual({
      user: 'ada@example.com',
      roles: ['admin', 'ops'],
      workflowID: h.workflowID,
    });
    expect(await h.getStatus()).toMatchObject({
      authenticatedUser: 'ada@example.com',
      authenticatedRoles: ['admin', 'ops'],
    });
  });

  it('rebuilds a workflow error with its name, message, code and data (portable and native)', async () => {
    for (const serializationType of ['portable', 'native'] as const) {
      const h = await client.enqueue(
        { queueName: 'interop', workflowName: 'failing', serializationType },
        'card declined',
      );
      const err = await h.getResult({ timeoutMs: 20_000 }).catch((e) => e);
      expect(err).toBeInstanceOf(DBOSWorkflowError);
      expect(err).toMatchObject({
        name: 'PaymentError',
        message: 'payment failed: card declined',
        errorCode: 'E_PAY',
        data: { msg: 'card declined' },
        workflowID: h.workflowID,
      });
      const status = await h.getStatus();
      expect(status?.status).toBe('ERROR');
      expect(status?.error).toBeInstanceOf(DBOSWorkflowError);
    }
  });
});

describe('queue semantics', () => {
  it('dequeues by priority on a priority queue', async () => {
    // Hold the concurrency-1 queue with a sleeper so the others wait, then check they ran in priority order.
    const blocker = await client.enqueue({ queueName: 'serial', workflowName: 'sleeper' }, 800);
    await waitUntil(async () => (await statusOf(blocker.workflowID)) === 'PENDING', { timeoutMs: 20_000 });
    const priorities = [5, 1, 4, 2, 3];
    const handles = [];
    for (const p of priorities) {
      handles.push(await client.enqueue({ queueName: 'serial', workflowName: 'stamp', priority: p }, `p${p}`));
    }
    const results = (await Promise.all(handles.map((h) => h.getResult({ timeoutMs: 30_000 })))) as {
      label: string;
      at: number;
    }[];
    const order = [...results].sort((a, b) => a.at - b.at).map((r) => r.label);
    expect(order).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
  });

  it('deduplicates: a second enqueue with the same ID fails typed, and return-existing returns the first', async () => {
    const dedup = uid('dedup');
    const first = await client.enqueue({ queueName: 'interop', workflowName: 'sleeper', deduplicationID: dedup }, 500);
    const err = await client
      .enqueue({ queueName: 'interop', workflowName: 'sleeper', deduplicationID: dedup }, 500)
      .catch((e) => e);
    expect(err).toBeInstanceOf(DBOSQueueDuplicatedError);
    expect(err).toMatchObject({ queueName: 'interop', deduplicationID: dedup });
    const again = await client.enqueue(
      { queueName: 'interop', workflowName: 'sleeper', deduplicationID: dedup, duplicationPolicy: 'return-existing' },
      500,
    );
    expect(again.workflowID).toBe(first.workflowID);
    expect(await first.getResult({ timeoutMs: 20_000 })).toBe(500);
    // Finishing releases the ID: the same deduplication ID is accepted again.
    const next = await client.enqueue({ queueName: 'interop', workflowName: 'add', deduplicationID: dedup }, 1, 1);
    expect(await next.getResult({ timeoutMs: 20_000 })).toBe(2);
  });

  it('returns the existing workflow for a reused ID, and refuses a different workflow under it', async () => {
    const id = uid('same-id');
    const a = await client.enqueue({ queueName: 'interop', workflowName: 'add', workflowID: id }, 1, 2);
    const b = await client.enqueue({ queueName: 'interop', workflowName: 'add', workflowID: id }, 100, 200);
    expect(b.workflowID).toBe(a.workflowID);
    expect(await b.getResult({ timeoutMs: 20_000 })).toBe(3);
    await expect(client.enqueue({ queueName: 'interop', workflowName: 'echo', workflowID: id })).rejects.toBeInstanceOf(
      DBOSConflictingWorkflowError,
    );
    await expect(
      client.enqueue(
        { queueName: 'interop', workflowName: 'add', workflowID: id, workflowIDReusePolicy: 'reject' },
        1,
        2,
      ),
    ).rejects.toBeInstanceOf(DBOSConflictingWorkflowError);
  });

  it('keeps partitions independent on a partitioned queue', async () => {
    const slowA = await client.enqueue(
      { queueName: 'partitioned', workflowName: 'sleeper', queuePartitionKey: 'A' },
      1500,
    );
    await waitUntil(async () => (await statusOf(slowA.workflowID)) === 'PENDING', { timeoutMs: 20_000 });
    const nextA = await client.enqueue(
      { queueName: 'partitioned', workflowName: 'stamp', queuePartitionKey: 'A' },
      'A2',
    );
    const quickB = await client.enqueue(
      { queueName: 'partitioned', workflowName: 'stamp', queuePartitionKey: 'B' },
      'B1',
    );
    await quickB.getResult({ timeoutMs: 20_000 });
    // B ran while A's partition was still busy; A's second workflow waits its turn.
    expect(await statusOf(slowA.workflowID)).toBe('PENDING');
    expect(await statusOf(nextA.workflowID)).toBe('ENQUEUED');
    await nextA.getResult({ timeoutMs: 20_000 });
    expect((await nextA.getStatus())?.queuePartitionKey).toBe('A');
  });

  it('delays a workflow by delaySeconds', async () => {
    const h = await client.enqueue({ queueName: 'interop', workflowName: 'add', delaySeconds: 1 }, 4, 4);
    expect(await statusOf(h.workflowID)).toBe('DELAYED');
    expect(await h.getResult({ timeoutMs: 20_000 })).toBe(8);
    const s = await h.getStatus();
    expect((s?.dequeuedAt ?? 0) - (s?.createdAt ?? 0)).toBeGreaterThanOrEqual(1000);
    expect(s?.delayUntilEpochMS).toBeGreaterThanOrEqual((s?.createdAt ?? 0) + 1000);
  });

  it('routes by application version: a version no worker runs stays ENQUEUED', async () => {
    const mine = await client.enqueue({ queueName: 'interop', workflowName: 'add', appVersion }, 1, 1);
    const nobody = await client.enqueue(
      { queueName: 'interop', workflowName: 'add', appVersion: 'v-nobody-runs' },
      1,
      1,
    );
    expect(await mine.getResult({ timeoutMs: 20_000 })).toBe(2);
    await new Promise((r) => setTimeout(r, 500)); // 50 queue polls of the worker
    expect(await statusOf(nobody.workflowID)).toBe('ENQUEUED');
    await client.cancelWorkflow(nobody.workflowID);
  });

  it('ends a workflow past its workflowTimeoutMS as CANCELLED', async () => {
    const h = await client.enqueue({ queueName: 'interop', workflowName: 'sleeper', workflowTimeoutMS: 300 }, 10_000);
    await expect(h.getResult({ timeoutMs: 20_000 })).rejects.toBeInstanceOf(DBOSAwaitedWorkflowCancelledError);
    const s = await h.getStatus();
    expect(s?.status).toBe('CANCELLED');
    expect(s?.timeoutMS).toBe(300);
    expect(s?.deadlineEpochMS).toBeGreaterThan(0);
  });
});

describe('management', () => {
  it('cancels a queued workflow, which then never runs', async () => {
    const h = await client.enqueue({ queueName: 'interop', workflowName: 'add', appVersion: 'v-held' }, 1, 1);
    await client.cancelWorkflow(h.workflowID);
    await expect(h.getResult({ timeoutMs: 5000 })).rejects.toBeInstanceOf(DBOSAwaitedWorkflowCancelledError);
    const s = await h.getStatus();
    expect(s).toMatchObject({ status: 'CANCELLED', queueName: undefined });
    expect(s?.dequeuedAt).toBeUndefined();
  });

  it('cancels a running workflow, then resumes it to completion under the same ID', async () => {
    const h = await client.enqueue<number>({ queueName: 'interop', workflowName: 'sleeper' }, 1500);
    await waitUntil(async () => (await statusOf(h.workflowID)) === 'PENDING', { timeoutMs: 20_000 });
    await client.cancelWorkflow(h.workflowID);
    await expect(h.getResult({ timeoutMs: 5000 })).rejects.toBeInstanceOf(DBOSAwaitedWorkflowCancelledError);
    const resumed = await client.resumeWorkflow<number>(h.workflowID);
    expect(resumed.workflowID).toBe(h.workflowID);
    expect(await resumed.getResult({ timeoutMs: 20_000 })).toBe(1500);
    expect(await statusOf(h.workflowID)).toBe('SUCCESS');
  });

  it('reports a missing workflow as DBOSNonExistentWorkflowError', async () => {
    await expect(client.cancelWorkflow(uid('missing'))).rejects.toBeInstanceOf(DBOSNonExistentWorkflowError);
    await expect(client.resumeWorkflow(uid('missing'))).rejects.toBeInstanceOf(DBOSNonExistentWorkflowError);
    await expect(client.forkWorkflow(uid('missing'), 0)).rejects.toBeInstanceOf(DBOSNonExistentWorkflowError);
    expect(await client.listWorkflowSteps(uid('missing'))).toBeUndefined();
    expect(await client.getWorkflow(uid('missing'))).toBeUndefined();
    expect(await client.retrieveWorkflow(uid('missing')).getStatus()).toBeNull();
  });

  it('forks from step N: steps before N keep their outputs, steps from N run again', async () => {
    const h = await client.enqueue<string[]>({ queueName: 'interop', workflowName: 'three_steps' }, 'orig');
    const original = await h.getResult({ timeoutMs: 20_000 });
    const steps = (await client.listWorkflowSteps(h.workflowID)) ?? [];
    expect(steps.map((s) => [s.functionID, s.name])).toEqual([
      [0, 's0'],
      [1, 's1'],
      [2, 's2'],
    ]);
    const fork = await client.forkWorkflow<string[]>(h.workflowID, 2, { workflowID: uid('fork') });
    const forked = await fork.getResult({ timeoutMs: 20_000 });
    expect(forked.slice(0, 3)).toEqual(original.slice(0, 3)); // tag, r0, r1 reused
    expect(forked[3]).not.toEqual(original[3]); // s2 ran again
    const fs = await fork.getStatus();
    expect(fs).toMatchObject({ forkedFrom: h.workflowID, workflowName: 'three_steps', input: ['orig'] });
    expect((await h.getStatus())?.wasForkedFrom).toBe(true);
    const forkSteps = (await client.listWorkflowSteps(fork.workflowID)) ?? [];
    expect(forkSteps.map((s) => s.output)).toEqual([original[1], original[2], forked[3]]);
    // From step 0 everything runs again.
    const fresh = await client.forkWorkflow<string[]>(h.workflowID, 0);
    const again = await fresh.getResult({ timeoutMs: 20_000 });
    expect(again[1]).not.toEqual(original[1]);
  });

  it('lists steps with their outputs and errors', async () => {
    const h = await client.enqueue({ queueName: 'interop', workflowName: 'step_error' });
    expect(await h.getResult({ timeoutMs: 20_000 })).toBe('recovered');
    const steps = (await client.listWorkflowSteps(h.workflowID)) ?? [];
    expect(steps.map((s) => s.name)).toEqual(['ok_step', 'bad_step']);
    expect(steps[0]).toMatchObject({ output: { ok: 1 }, error: null, childWorkflowID: null });
    expect(steps[1]?.output).toBeNull();
    expect(steps[1]?.error).toBeInstanceOf(DBOSWorkflowError);
    expect(steps[1]?.error?.message).toBe('step failed');
    expect(steps[0]?.completedAtEpochMs).toBeGreaterThanOrEqual(steps[0]?.startedAtEpochMs ?? Number.POSITIVE_INFINITY);
    expect(await client.listWorkflowSteps(h.workflowID, { offset: 1, limit: 1 })).toMatchObject([{ name: 'bad_step' }]);
  });

  it('waitFirst returns whichever workflow finishes first', async () => {
    const slow = await client.enqueue({ queueName: 'interop', workflowName: 'sleeper' }, 3000);
    const quick = await client.enqueue({ queueName: 'interop', workflowName: 'sleeper' }, 50);
    const first = await client.waitFirst([slow, quick], { timeoutMs: 20_000 });
    expect(first.workflowID).toBe(quick.workflowID);
    await expect(client.waitFirst([slow.workflowID], { timeoutMs: 100 })).rejects.toBeInstanceOf(DBOSWaitTimeoutError);
    await client.cancelWorkflow(slow.workflowID);
  });
});

describe('races', () => {
  it('200 concurrent enqueues of one workflow ID make exactly one execution', async () => {
    const id = uid('race-id');
    const handles = await Promise.all(
      Array.from({ length: 200 }, () =>
        client.enqueue({ queueName: 'interop', workflowName: 'stamp', workflowID: id }, 'once'),
      ),
    );
    expect(new Set(handles.map((h) => h.workflowID))).toEqual(new Set([id]));
    await handles[0]?.getResult({ timeoutMs: 20_000 });
    expect(await client.listWorkflows({ workflowIDs: [id] })).toHaveLength(1);
    expect(await client.listWorkflowSteps(id)).toHaveLength(1); // the step ran once
  });
});

describe('matches the SDK client field by field', () => {
  let handle: WorkflowHandle;
  beforeAll(async () => {
    handle = await client.enqueue(
      { queueName: 'interop', workflowName: 'three_steps', attributes: { team: 'edge' }, serializationType: 'native' },
      'cmp',
    );
    await handle.getResult({ timeoutMs: 20_000 });
  });

  it('getWorkflow', async () => {
    const ours = await client.getWorkflow(handle.workflowID);
    const theirs = await sdk.getWorkflow(handle.workflowID);
    expect(theirs).toBeDefined();
    for (const [key, value] of Object.entries(theirs ?? {})) {
      // The SDK reports an absent user or role as null; dbos-edge as undefined (roles as []).
      const expected = value === null ? undefined : value;
      expect([key, (ours as unknown as Record<string, unknown>)[key]]).toEqual([
        key,
        key === 'authenticatedRoles' && value === null ? [] : expected,
      ]);
    }
  });

  it('listWorkflowSteps', async () => {
    expect(await client.listWorkflowSteps(handle.workflowID)).toEqual(await sdk.listWorkflowSteps(handle.workflowID));
  });

  it('listWorkflows and listQueuedWorkflows', async () => {
    const filter = { workflowName: 'three_steps', sortDesc: true, limit: 5 };
    const ours = (await client.listWorkflows(filter)).map((s) => s.workflowID);
    const theirs = (await sdk.listWorkflows(filter)).map((s) => s.workflowID);
    expect(ours).toEqual(theirs);
    const queued = (await client.listQueuedWorkflows({})).map((s) => s.workflowID).sort();
    const sdkQueued = (await sdk.listQueuedWorkflows({})).map((s) => s.workflowID).sort();
    expect(queued).toEqual(sdkQueued);
  });
});
