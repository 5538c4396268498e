/**
 * Issue 13 against the real DBOS worker (@dbos-inc/dbos-sdk 5.3.0, test/interop/worker/app.ts): the TS SDK's own
 * calls on dbos-edge's client (getEvent's timeout forms and 0, waitAll, readStreamOffset, steps without outputs,
 * delete by ID, fork), a queue dbos-edge registers that the worker then polls, and enqueue and send in the caller's
 * transaction, which the worker runs or receives only once it commits. Where the SDK's own client is run beside
 * dbos-edge's, the test checks both answer alike; a test name says where the SDK's client behaves otherwise.
 */
import { DBOSClient as SdkClient } from '@dbos-inc/dbos-sdk';
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  DBOSClient,
  DBOSNonExistentWorkflowError,
  DBOSStreamTimeoutError,
  DBOSTransactionAbortedError,
  DBOSWaitTimeoutError,
} from '../../src/index.ts';
import { waitUntil } from './worker/harness.ts';

const url = inject('interopDatabaseUrl');
const appName = inject('interopAppName');
const appVersion = inject('interopAppVersion');
let client: DBOSClient;
let sdk: SdkClient;
let sql: postgres.Sql;
const run = Date.now().toString(36);
const uid = (label: string) => `${label}-${run}-${Math.random().toString(36).slice(2, 8)}`;
const q = { queueName: 'interop' };

beforeAll(async () => {
  client = new DBOSClient({ systemDatabaseUrl: url, applicationName: appName, polling: { minIntervalMs: 5 } });
  sdk = await SdkClient.create({ systemDatabaseUrl: url, applicationName: appName });
  sql = postgres(url, { max: 2, onnotice: () => {} });
});

afterAll(async () => {
  await client?.destroy();
  await sdk?.destroy();
  await sql?.end();
});

async function pgTransaction(): Promise<pg.Client> {
  const connection = new pg.Client({ connectionString: url });
  await connection.connect();
  await connection.query('BEGIN');
  return connection;
}

describe('getEvent', () => {
  it('with a timeout of 0 answers at once: null before the worker sets the event, its value after (both clients)', async () => {
    const h = await client.enqueue({ ...q, workflowName: 'emitter' });
    await waitUntil(async () => (await client.getEvent(h.workflowID, 'before', 0)) !== null, { timeoutMs: 20_000 });
    expect(await client.getEvent(h.workflowID, 'before', 0)).toBe('early');
    expect(await client.getEvent(h.workflowID, 'after', { timeoutMs: 0 })).toBeNull();
    expect(await sdk.getEvent(h.workflowID, 'after', 0)).toBeNull();
    await client.send(h.workflowID, 'now', 'go');
    expect(await h.getResult({ timeoutMs: 20_000 })).toBe('now');
    expect(await client.getEvent(h.workflowID, 'after', 0)).toEqual({ go: 'now' });
    expect(await sdk.getEvent(h.workflowID, 'after', 0)).toEqual({ go: 'now' });
  });

  it("waits in the SDK's seconds, { timeoutSeconds } and { deadlineEpochMS } forms for an event set later", async () => {
    const h = await client.enqueue({ ...q, workflowName: 'emitter' });
    const waits = [
      client.getEvent(h.workflowID, 'after', 20),
      client.getEvent(h.workflowID, 'after', { timeoutSeconds: 20 }),
      client.getEvent(h.workflowID, 'after', { deadlineEpochMS: Date.now() + 20_000 }),
    ];
    await client.send(h.workflowID, 'later', 'go');
    expect(await Promise.all(waits)).toEqual([{ go: 'later' }, { go: 'later' }, { go: 'later' }]);
  });
});

describe("errors in the SDK client's words", () => {
  // The SDK's errors leave `name` as 'Error', so the classes are compared by constructor name.
  it('a cancelled workflow and a send to a missing one throw the same class and message from both clients', async () => {
    const slow = await client.enqueue({ ...q, workflowName: 'sleeper' }, 60_000);
    await client.cancelWorkflow(slow.workflowID);
    const ours = (await slow.getResult({ timeoutMs: 20_000 }).catch((e: unknown) => e)) as Error;
    const theirs = (await sdk
      .retrieveWorkflow(slow.workflowID)
      .getResult()
      .catch((e: unknown) => e)) as Error;
    expect([ours.constructor.name, ours.message]).toEqual([theirs.constructor.name, theirs.message]);
    const missing = uid('nobody');
    const sent = (await client.send(missing, 'm').catch((e: unknown) => e)) as Error;
    const sdkSent = (await sdk.send(missing, 'm').catch((e: unknown) => e)) as Error;
    expect([sent.constructor.name, sent.message]).toEqual([sdkSent.constructor.name, sdkSent.message]);
  });
});

describe('waitAll', () => {
  it('returns the handles given, in order, once every workflow has finished, whatever its outcome', async () => {
    const handles = [
      await client.enqueue({ ...q, workflowName: 'sleeper' }, 100),
      await client.enqueue({ ...q, workflowName: 'failing' }, 'x'),
      await client.enqueue({ ...q, workflowName: 'add' }, 1, 2),
    ];
    const done = await client.waitAll(handles, { timeoutMs: 30_000 });
    expect(done).toEqual(handles);
    const statuses = await Promise.all(done.map(async (h) => (await h.getStatus())?.status));
    expect(statuses).toEqual(['SUCCESS', 'ERROR', 'SUCCESS']);
    expect(await client.waitAll([])).toEqual([]);
  });

  it('times out naming the workflow still running', async () => {
    const finished = await client.enqueue({ ...q, workflowName: 'add' }, 1, 1);
    await finished.getResult({ timeoutMs: 20_000 });
    const slow = await client.enqueue({ ...q, workflowName: 'sleeper' }, 60_000);
    const error = await client.waitAll([finished, slow], { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DBOSWaitTimeoutError);
    expect((error as DBOSWaitTimeoutError).workflowIDs).toEqual([slow.workflowID]);
    await client.cancelWorkflow(slow.workflowID);
  });
});

describe('readStreamOffset', () => {
  it('reads one value of a stream the worker writes, as the SDK client does', async () => {
    const h = await client.enqueue({ ...q, workflowName: 'streamer' }, 3, 'close', 0);
    expect(await client.readStreamOffset(h.workflowID, 's', 1, { timeoutSeconds: 20 })).toEqual({ i: 1 });
    expect(await sdk.readStreamOffset(h.workflowID, 's', 1, { timeoutSeconds: 20 })).toEqual({ i: 1 });
    expect(await client.readStreamOffset(h.workflowID, 's', 2)).toEqual({ i: 2 });
  });

  it("throws DBOSStreamTimeoutError with the SDK's message past a closed stream and after a timeout", async () => {
    const closed = await client.enqueue({ ...q, workflowName: 'streamer' }, 2, 'close', 0);
    await closed.getResult({ timeoutMs: 20_000 });
    const past = (await client.readStreamOffset(closed.workflowID, 's', 5).catch((e) => e)) as Error;
    const sdkPast = (await sdk.readStreamOffset(closed.workflowID, 's', 5).catch((e) => e)) as Error;
    expect(past).toBeInstanceOf(DBOSStreamTimeoutError);
    expect([past.name, past.message]).toEqual([sdkPast.name, sdkPast.message]);

    const slow = await client.enqueue({ ...q, workflowName: 'streamer' }, 2, 'return', 60_000);
    const late = (await client.readStreamOffset(slow.workflowID, 's', 1, { timeoutMs: 300 }).catch((e) => e)) as Error;
    expect(late).toBeInstanceOf(DBOSStreamTimeoutError);
    expect(late.message).toBe(`No value arrived on stream s of workflow ${slow.workflowID} within 300ms`);
    await client.cancelWorkflow(slow.workflowID);
  });
});

describe('steps, delete and fork on workflows the worker ran', () => {
  it('lists the steps without their outputs when loadOutput is false', async () => {
    const h = await client.enqueue<string[]>({ ...q, workflowName: 'three_steps' }, 'tag');
    const result = await h.getResult({ timeoutMs: 20_000 });
    const bare = await client.listWorkflowSteps(h.workflowID, { loadOutput: false });
    expect(bare?.map((s) => [s.name, s.output, s.error])).toEqual([
      ['s0', null, null],
      ['s1', null, null],
      ['s2', null, null],
    ]);
    expect((await client.listWorkflowSteps(h.workflowID))?.map((s) => s.output)).toEqual(result.slice(1));
  });

  it('deletes a finished workflow by ID, and a parent with its child with deleteChildren', async () => {
    const single = await client.enqueue({ ...q, workflowName: 'three_steps' }, 'gone');
    const parent = await client.enqueue({ ...q, workflowName: 'parent' }, 10);
    await client.waitAll([single, parent], { timeoutMs: 20_000 });
    const [child] = await client.listWorkflows({ parentWorkflowID: parent.workflowID });
    expect(child).toBeDefined();
    await client.deleteWorkflow(single.workflowID);
    await client.deleteWorkflows([parent.workflowID], true);
    for (const id of [single.workflowID, parent.workflowID, child?.workflowID ?? '']) {
      expect(await client.getWorkflow(id)).toBeUndefined();
      expect(await sdk.getWorkflow(id)).toBeUndefined();
    }
    expect(await client.listWorkflowSteps(single.workflowID)).toBeUndefined();
  });

  it('forks to a handle that is also the ID the SDK returns, and replays the steps before startStep', async () => {
    const original = await client.enqueue<string[]>({ ...q, workflowName: 'three_steps' }, 'fork');
    const first = await original.getResult({ timeoutMs: 20_000 });
    const fork = await client.forkWorkflow<string[]>(original.workflowID, 2, { newWorkflowID: uid('fork') });
    const again = await client.retrieveWorkflow<string[]>(`${fork}`).getResult({ timeoutMs: 20_000 });
    expect(again.slice(0, 3)).toEqual(first.slice(0, 3));
    expect(again[3]).not.toBe(first[3]);
    const sdkFork = await sdk.forkWorkflow(original.workflowID, 2);
    expect(typeof sdkFork).toBe('string');
    expect((await client.retrieveWorkflow(sdkFork).getStatus())?.forkedFrom).toBe(original.workflowID);
  });
});

describe('rewindWorkflow on a workflow the worker ran', () => {
  it('runs it again under the same ID from startStep, keeping the steps before it (as the SDK client does)', async () => {
    const original = await client.enqueue<string[]>({ ...q, workflowName: 'three_steps' }, 'rewind');
    const first = await original.getResult({ timeoutMs: 20_000 });
    const rewound = await client.rewindWorkflow<string[]>(original.workflowID, { startStep: 2 });
    expect(rewound.workflowID).toBe(original.workflowID);
    const second = await rewound.getResult({ timeoutMs: 20_000 });
    expect(second.slice(0, 3)).toEqual(first.slice(0, 3));
    expect(second[3]).not.toBe(first[3]);
    await sdk.rewindWorkflow(original.workflowID, { startStep: 1 });
    const third = await client.retrieveWorkflow<string[]>(original.workflowID).getResult({ timeoutMs: 20_000 });
    expect(third.slice(0, 2)).toEqual(first.slice(0, 2));
    expect(third[2]).not.toBe(first[2]);
  });
});

describe("the SDK's polling options", () => {
  it('are accepted by getResult, waitFirst and waitAll (one shared poll paces them)', async () => {
    const h = await client.enqueue<number>({ ...q, workflowName: 'add' }, 2, 2);
    expect(await h.getResult({ pollingIntervalMs: 20 })).toBe(4);
    expect((await client.waitFirst([h], { pollingIntervalMs: 20 })).workflowID).toBe(h.workflowID);
    expect(await client.waitAll([h], { pollingIntervalMs: 20 })).toEqual([h]);
  });
});

describe('delays and versions the worker acts on', () => {
  it('runs a DELAYED workflow once setWorkflowDelay moves its time to now', async () => {
    const h = await client.enqueue<number>({ ...q, workflowName: 'add', delaySeconds: 3600 }, 5, 6);
    expect((await h.getStatus())?.status).toBe('DELAYED');
    expect(await client.setWorkflowPriority(h.workflowID, 1)).toBe(true);
    expect(await client.setWorkflowDelay(h.workflowID, { delayUntilEpochMS: Date.now() })).toBe(true);
    expect(await h.getResult({ timeoutMs: 30_000 })).toBe(11);
    expect(await client.setWorkflowDelay(h.workflowID, 10)).toBe(false);
  });

  it("reads the version the worker registered as its application's latest, as the SDK client does", async () => {
    const latest = await client.getLatestApplicationVersion();
    expect(latest).toEqual(await sdk.getLatestApplicationVersion());
    expect(latest).toMatchObject({ versionName: appVersion, applicationName: appName });
    expect(await client.listApplicationVersions()).toEqual(await sdk.listApplicationVersions());
  });
});

describe('a queue registered by dbos-edge', () => {
  it('is polled by the worker of the application that owns it, with its settings', async () => {
    const name = uid('edge-registered');
    const queue = await client.registerQueue(name, { workerConcurrency: 5, minPollingIntervalMs: 10 });
    expect(queue.applicationName).toBe(appName);
    const h = await client.enqueue<number>({ queueName: name, workflowName: 'add' }, 20, 22);
    expect(await h.getResult({ timeoutMs: 30_000 })).toBe(42);
    await queue.setWorkerConcurrency(2);
    expect((await sdk.retrieveQueue(name))?.workerConcurrency).toBe(2);
    expect((await client.listQueues()).map((each) => each.name)).toContain(name);
    await client.deleteQueue(name);
    expect(await sdk.retrieveQueue(name)).toBeNull();
  });
});

describe('enqueue and send in the caller’s transaction', () => {
  it('the worker runs a workflow enqueued in a pg transaction only once it commits, and never a rolled-back one', async () => {
    const committed = await pgTransaction();
    const rolledBack = await pgTransaction();
    try {
      const h = await client.enqueueInTransaction<number>(committed, { ...q, workflowName: 'add' }, 40, 2);
      const dropped = await client.enqueueInTransaction(rolledBack, { ...q, workflowName: 'add' }, 0, 0);
      expect(await h.getStatus()).toBeNull();
      await committed.query('COMMIT');
      await rolledBack.query('ROLLBACK');
      expect(await h.getResult({ timeoutMs: 30_000 })).toBe(42);
      expect(await dropped.getStatus()).toBeNull();
    } finally {
      await committed.end();
      await rolledBack.end();
    }
  });

  it('the worker receives a message sent in a postgres.js transaction once it commits', async () => {
    const receiver = await client.enqueue({ ...q, workflowName: 'receiver' }, 'tx-topic');
    await waitUntil(async () => (await receiver.getStatus())?.status === 'PENDING', { timeoutMs: 20_000 });
    await sql.begin(async (tx) => {
      await client.sendInTransaction(tx, receiver.workflowID, { via: 'outbox' }, 'tx-topic');
    });
    expect(await receiver.getResult({ timeoutMs: 30_000 })).toEqual({ via: 'outbox' });
    const portable = await sql.begin((tx) =>
      client.enqueuePortableInTransaction<number>(tx, { ...q, workflowName: 'add' }, [1, 2]),
    );
    expect(await portable.getResult({ timeoutMs: 30_000 })).toBe(3);
  });

  it("a send to a missing workflow is typed and keeps the transaction usable (the SDK's own client aborts it)", async () => {
    const ours = await pgTransaction();
    const theirs = await pgTransaction();
    try {
      const missing = uid('missing');
      const error = (await client.sendInTransaction(ours, missing, 'm').catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(DBOSNonExistentWorkflowError);
      expect((await ours.query('SELECT 1 AS alive')).rows).toEqual([{ alive: 1 }]);
      const sdkError = (await sdk.sendInTransaction(theirs, missing, 'm').catch((e: unknown) => e)) as Error;
      expect([error.constructor.name, error.message]).toEqual([sdkError.constructor.name, sdkError.message]);
      const aborted = await theirs.query('SELECT 1').catch((e: { code?: string }) => e.code);
      expect(aborted).toBe('25P02');
      await expect(client.sendInTransaction(theirs, uid('missing'), 'm')).rejects.toBeInstanceOf(
        DBOSTransactionAbortedError,
      );
    } finally {
      await ours.end();
      await theirs.end();
    }
  });
});
