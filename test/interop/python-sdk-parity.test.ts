/**
 * Issue 13's SDK-parity calls against the real DBOS Python 2.30 app (test/interop/python/app.py), in both serializer
 * variants, and compared with DBOS Python's own DBOSClient (client_probe.py): enqueue and send in the caller's
 * transaction, a queue dbos-edge registers (2.30 polls the `queues` rows its application owns or nobody owns),
 * getEvent with timeout 0, readStreamOffset, steps without outputs, delete by ID, setWorkflowDelay, application
 * versions, renameApplication, and the cases of DBOS Python's tests/test_client.py. A test name says where DBOS
 * Python's client behaves otherwise.
 */
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DBOSClient,
  DBOSConflictingOwnerError,
  DBOSNonExistentApplicationVersionError,
  DBOSStreamTimeoutError,
  ValidationError,
  type VersionInfo,
} from '../../src/index.ts';
import { createTestDatabase } from '../helpers/pg.ts';
import { comparable, comparableStep } from './python/compare.ts';
import { startPythonApp } from './python/harness.ts';
import { closePythonProbe, type ProbeTarget, probePython } from './python/probe.ts';
import { BOTH_VARIANTS, pythonSuite } from './python/targets.ts';
import { waitUntil } from './worker/harness.ts';

const RESULT_WAIT = { timeoutMs: 20_000 };
const JOHN_DOE = { first: 'John', last: 'Doe', age: 30 };
/** What tests/client_collateral.py's enqueue_test returns for (42, 'test', JOHN_DOE): Python's json.dumps spacing. */
const ENQUEUE_TEST_RESULT = '42-test-{"first": "John", "last": "Doe", "age": 30}';

/** DBOS Python's VersionInfo in dbos-edge's shape. */
const asVersionInfo = (row: Record<string, unknown>): VersionInfo => ({
  versionId: row.version_id as string,
  versionName: row.version_name as string,
  versionTimestamp: row.version_timestamp as number,
  createdAt: row.created_at as number,
  ...(row.application_name === null ? {} : { applicationName: row.application_name as string }),
});

describe.concurrent.each(BOTH_VARIANTS)('SDK parity against the Python app (%s serializer)', (serializer) => {
  const { target, client, statusOf, uid } = pythonSuite('pyparity', serializer);
  const sql = postgres(target.databaseUrl, { max: 3, onnotice: () => {} });
  afterAll(() => sql.end());
  const interop = { queueName: 'interop' };

  async function pgTransaction(): Promise<pg.Client> {
    const connection = new pg.Client({ connectionString: target.databaseUrl });
    await connection.connect();
    await connection.query('BEGIN');
    return connection;
  }

  /** The caller's own table, written in the same transactions as the enqueues. */
  const ordersTable = sql`CREATE TABLE IF NOT EXISTS edge_outbox_orders (id text PRIMARY KEY)`;
  const orderExists = async (id: string) => {
    await ordersTable;
    return (await sql`SELECT 1 FROM edge_outbox_orders WHERE id = ${id}`).length === 1;
  };

  describe('enqueue and send in the caller’s transaction', () => {
    it('the Python app runs a workflow enqueued with the caller’s row in sql.begin, and neither exists after a rollback', async () => {
      await ordersTable;
      const kept = uid('order-kept');
      const handle = await sql.begin(async (tx) => {
        await tx`INSERT INTO edge_outbox_orders (id) VALUES (${kept})`;
        return client.enqueueInTransaction<number>(tx, { ...interop, workflowName: 'add', workflowID: kept }, 40, 2);
      });
      const dropped = uid('order-dropped');
      const rolledBack = await sql
        .begin(async (tx) => {
          await tx`INSERT INTO edge_outbox_orders (id) VALUES (${dropped})`;
          await client.enqueueInTransaction(tx, { ...interop, workflowName: 'add', workflowID: dropped }, 0, 0);
          throw new Error('roll back');
        })
        .catch((e: Error) => e.message);
      expect(rolledBack).toBe('roll back');
      expect(await handle.getResult(RESULT_WAIT)).toBe(42);
      expect([await orderExists(kept), await orderExists(dropped)]).toEqual([true, false]);
      expect(await client.getWorkflow(dropped)).toBeUndefined();
      const [theirs] = await probePython(target, [{ op: 'status', id: dropped }]);
      expect(theirs).toMatchObject({ raised: { name: 'DBOSNonExistentWorkflowError' } });
    });

    it('with a pg client: nothing is visible before COMMIT, the Python app runs it after, and never a rolled-back one', async () => {
      const committed = await pgTransaction();
      const rolledBack = await pgTransaction();
      try {
        const handle = await client.enqueueInTransaction<string>(
          committed,
          { ...interop, workflowName: 'enqueue_test', workflowID: uid('pg-commit') },
          42,
          'test',
          JOHN_DOE,
        );
        const dropped = await client.enqueueInTransaction(
          rolledBack,
          { ...interop, workflowName: 'add', workflowID: uid('pg-rollback') },
          1,
          1,
        );
        expect(await handle.getStatus()).toBeNull();
        const [before] = await probePython(target, [{ op: 'status', id: handle.workflowID }]);
        expect(before).toMatchObject({ raised: { name: 'DBOSNonExistentWorkflowError' } });
        await committed.query('COMMIT');
        await rolledBack.query('ROLLBACK');
        expect(await handle.getResult(RESULT_WAIT)).toBe(ENQUEUE_TEST_RESULT);
        expect(await dropped.getStatus()).toBeNull();
      } finally {
        await committed.end();
        await rolledBack.end();
      }
    });

    it('runs the prepared enqueue statement in the caller’s own transaction, and keeps the first inputs for an ID enqueued twice', async () => {
      const id = uid('prepared');
      const connection = await pgTransaction();
      try {
        const write = await client.prepareEnqueue<number>({ ...interop, workflowName: 'add', workflowID: id }, 2, 3);
        const handle = write.settle((await connection.query(write.text, [...write.params])).rows);
        const again = await client.enqueueInTransaction<number>(
          connection,
          { ...interop, workflowName: 'add', workflowID: id },
          100,
          100,
        );
        expect(again.workflowID).toBe(handle.workflowID);
        await connection.query('COMMIT');
        expect(await handle.getResult(RESULT_WAIT)).toBe(5);
      } finally {
        await connection.end();
      }
    });

    it('sendInTransaction reaches DBOS.recv once committed; a rolled-back send never arrives', async () => {
      const receiver = await client.enqueue<unknown[]>(
        { ...interop, workflowName: 'receive', workflowID: uid('outbox-recv') },
        'outbox',
        1,
        30,
      );
      // The rolled-back message would be the oldest on the topic, so DBOS.recv would take it first.
      await sql
        .begin(async (tx) => {
          await client.sendInTransaction(tx, receiver.workflowID, 'lost', 'outbox');
          throw new Error('roll back');
        })
        .catch(() => undefined);
      const connection = await pgTransaction();
      try {
        await client.sendInTransaction(connection, receiver.workflowID, { via: 'outbox' }, 'outbox');
        await connection.query('COMMIT');
      } finally {
        await connection.end();
      }
      expect(await receiver.getResult(RESULT_WAIT)).toEqual([{ via: 'outbox' }]);
    });
  });

  describe('a queue dbos-edge registers on the Python app’s database', () => {
    it('is polled by the Python app (2.30 reads the queues table) and reads the same in DBOS Python’s client', async () => {
      const name = uid('edge-queue');
      const queue = await client.registerQueue(name, { workerConcurrency: 2, minPollingIntervalMs: 100 });
      expect(queue.applicationName).toBe(target.appName);
      const handle = await client.enqueue<number>({ queueName: name, workflowName: 'add' }, 20, 22);
      expect(await handle.getResult(RESULT_WAIT)).toBe(42);
      await queue.setWorkerConcurrency(1);
      const [theirs, listed] = await probePython(target, [{ op: 'queue', name }, { op: 'queues' }]);
      expect(theirs).toEqual({
        name,
        concurrency: null,
        workerConcurrency: 1,
        limiter: null,
        pollingIntervalSec: 0.1,
        // dbos-edge writes priority_enabled as the TS SDK does: every queue dispatches in priority order.
        priorityEnabled: true,
        partitionQueue: false,
        applicationName: target.appName,
      });
      expect((listed as { name: string }[]).map((q) => q.name)).toContain(name);
      expect((await client.listQueues()).map((q) => q.name)).toContain(name);
      await client.deleteQueue(name);
      const [gone] = await probePython(target, [{ op: 'queue', name }]);
      expect(gone).toBeNull();
    });

    it('owned by another application is outside the app’s queue scope, and both clients refuse to take it over', async () => {
      const name = uid('foreign-queue');
      const foreign = await client.registerQueue(name, { applicationName: 'some-other-app' });
      expect(foreign.applicationName).toBe('some-other-app');
      await expect(client.registerQueue(name)).rejects.toBeInstanceOf(DBOSConflictingOwnerError);
      // The app polls what list_queues returns for its own name; this queue is not among them.
      const [listed, takeover] = await probePython(target, [{ op: 'queues' }, { op: 'register_queue', name }]);
      expect((listed as { name: string }[]).map((q) => q.name)).not.toContain(name);
      expect(takeover).toMatchObject({ raised: { message: expect.stringContaining('some-other-app') } });
      expect((await client.listQueues()).map((q) => q.name)).not.toContain(name);
      await client.deleteQueue(name);
    });

    it('with partition limits is refused on 2.30’s schema (migration 107 has no partition columns)', async () => {
      const error = await client.registerQueue(uid('partitioned'), { partitionConcurrency: 1 }).catch((e) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]).toMatchObject({
        field: 'options.partitionConcurrency',
        rule: 'schema_version',
      });
    });
  });

  describe('events, streams, steps, delays on workflows the Python app ran', () => {
    it('getEvent with timeout 0 answers at once before, during and after the workflow, as DBOS Python’s client; setWorkflowDelay releases it', async () => {
      const key = 'state';
      const handle = await client.enqueue<string>(
        { ...interop, workflowName: 'event_test', workflowID: uid('event-zero'), delaySeconds: 3600 },
        key,
        'v',
        true,
      );
      const id = handle.workflowID;
      expect(await statusOf(id)).toBe('DELAYED');
      expect(await client.getEvent(id, key, 0)).toBeNull();
      expect(await probePython(target, [{ op: 'get_event', id, key, timeout: 0 }])).toEqual([null]);
      expect(await client.setWorkflowDelay(id, { delayUntilEpochMS: Date.now() })).toBe(true);
      await waitUntil(async () => (await client.getEvent(id, key, 0)) !== null, RESULT_WAIT);
      expect(await client.getEvent(id, key, 0)).toBe('v');
      expect(await probePython(target, [{ op: 'get_event', id, key, timeout: 0 }])).toEqual(['v']);
      await client.send(id, 'now', 'update');
      expect(await handle.getResult(RESULT_WAIT)).toBe('state-v');
      expect(await client.getEvent(id, key, 0)).toBe('updated-v');
      expect(await probePython(target, [{ op: 'get_event', id, key, timeout: 0 }])).toEqual(['updated-v']);
      expect(await client.setWorkflowDelay(id, 10)).toBe(false);
    });

    it('readStreamOffset reads one value of a stream the app wrote, and times out past its close', async () => {
      const handle = await client.enqueue({ ...interop, workflowName: 'streamer', workflowID: uid('stream') }, 3, true);
      expect(await client.readStreamOffset(handle.workflowID, 'values', 1, { timeoutSeconds: 20 })).toEqual({
        index: 1,
      });
      await handle.getResult(RESULT_WAIT);
      expect(await client.readStreamOffset(handle.workflowID, 'values', 2)).toEqual({ index: 2 });
      expect(await client.readStreamOffset(handle.workflowID, 'values', 0)).toEqual({ index: 0 });
      const past = await client.readStreamOffset(handle.workflowID, 'values', 3).catch((e) => e);
      expect(past).toBeInstanceOf(DBOSStreamTimeoutError);
      const [theirs] = await probePython(target, [{ op: 'read_stream', id: handle.workflowID, key: 'values' }]);
      expect(theirs).toEqual([0, 1, 2].map((index) => ({ index })));
    });

    it('lists the steps numbered from 1 without their outputs with loadOutput false, as load_output=False does', async () => {
      const handle = await client.enqueue(
        { ...interop, workflowName: 'three_steps', workflowID: uid('bare-steps') },
        'bare',
      );
      await handle.getResult(RESULT_WAIT);
      const bare = await client.listWorkflowSteps(handle.workflowID, { loadOutput: false });
      expect(bare?.map((s) => [s.functionID, s.name, s.output, s.error])).toEqual([
        [1, 'label_step', null, null],
        [2, 'label_step', null, null],
        [3, 'label_step', null, null],
      ]);
      const [theirs] = await probePython(target, [{ op: 'steps', id: handle.workflowID, load_output: false }]);
      expect(theirs).toEqual(bare?.map(comparableStep));
    });

    it('deletes finished workflows by ID with deleteWorkflow and deleteWorkflows; DBOS Python’s client no longer finds them', async () => {
      const handles = await Promise.all(
        ['one', 'two', 'three'].map((label) =>
          client.enqueue({ ...interop, workflowName: 'three_steps', workflowID: uid(`delete-${label}`) }, label),
        ),
      );
      await client.waitAll(handles, RESULT_WAIT);
      const [single, ...pair] = handles.map((h) => h.workflowID) as [string, string, string];
      await client.deleteWorkflow(single);
      await client.deleteWorkflows(pair);
      for (const id of [single, ...pair]) {
        expect(await client.getWorkflow(id)).toBeUndefined();
        expect(await client.listWorkflowSteps(id)).toBeUndefined();
      }
      const theirs = await probePython(
        target,
        [single, ...pair].map((id) => ({ op: 'status', id })),
      );
      for (const answer of theirs) expect(answer).toMatchObject({ raised: { name: 'DBOSNonExistentWorkflowError' } });
    });
  });

  describe('application versions the Python app registered', () => {
    it('lists them and the latest as DBOS Python’s client does, and promotes the running version again', async () => {
      const [versions, latest] = (await probePython(target, [{ op: 'versions' }, { op: 'latest_version' }])) as [
        Record<string, unknown>[],
        Record<string, unknown>,
      ];
      expect(await client.listApplicationVersions()).toEqual(versions.map(asVersionInfo));
      const ours = await client.getLatestApplicationVersion();
      expect(ours).toEqual(asVersionInfo(latest));
      expect(ours).toMatchObject({ versionName: target.appVersion, applicationName: target.appName });
      await client.setLatestApplicationVersion(target.appVersion);
      const promoted = await client.getLatestApplicationVersion();
      expect(promoted.versionTimestamp).toBeGreaterThanOrEqual(ours.versionTimestamp);
      const [theirs] = await probePython(target, [{ op: 'latest_version' }]);
      expect(asVersionInfo(theirs as Record<string, unknown>)).toEqual(promoted);
    });

    it('refuses to promote an unknown version (DBOS Python’s client silently does nothing)', async () => {
      const unknown = uid('no-such-version');
      await expect(client.setLatestApplicationVersion(unknown)).rejects.toBeInstanceOf(
        DBOSNonExistentApplicationVersionError,
      );
      const [theirs, latest] = await probePython(target, [
        { op: 'set_latest_version', name: unknown },
        { op: 'latest_version' },
      ]);
      expect(theirs).toBeNull();
      expect(latest).toMatchObject({ version_name: target.appVersion });
    });
  });

  describe('the cases of DBOS Python’s tests/test_client.py', () => {
    const enqueueTest = (id: string, appVersion?: string) =>
      client.enqueue<string>(
        { ...interop, workflowName: 'enqueue_test', workflowID: id, ...(appVersion ? { appVersion } : {}) },
        42,
        'test',
        JOHN_DOE,
      );

    it('enqueue with the app version unset and set runs on the app, as with DBOS Python’s client', async () => {
      const unset = await enqueueTest(uid('appver-unset'));
      const set = await enqueueTest(uid('appver-set'), target.appVersion);
      const theirsID = uid('appver-python');
      await probePython(target, [
        {
          op: 'enqueue',
          options: { queue_name: 'interop', workflow_name: 'enqueue_test', workflow_id: theirsID },
          args: [42, 'test', JOHN_DOE],
        },
      ]);
      for (const handle of [unset, set, client.retrieveWorkflow<string>(theirsID)]) {
        expect(await handle.getResult(RESULT_WAIT)).toBe(ENQUEUE_TEST_RESULT);
        expect(await handle.getStatus()).toMatchObject({
          status: 'SUCCESS',
          workflowName: 'enqueue_test',
          applicationVersion: target.appVersion,
        });
      }
    });

    it('enqueue with a wrong app version stays ENQUEUED with that version, from either client', async () => {
      const wrong = '0123456789abcdef';
      const ours = await client.enqueue(
        { ...interop, workflowName: 'enqueue_test', workflowID: uid('appver-wrong'), appVersion: wrong },
        42,
        'test',
        JOHN_DOE,
      );
      const theirsID = uid('appver-wrong-python');
      await probePython(target, [
        {
          op: 'enqueue',
          options: { queue_name: 'interop', workflow_name: 'enqueue_test', workflow_id: theirsID, app_version: wrong },
          args: [42, 'test', JOHN_DOE],
        },
      ]);
      // Enqueued after them on the same queue: once it has run, the app has passed them over.
      expect(await (await enqueueTest(uid('appver-after'))).getResult(RESULT_WAIT)).toBe(ENQUEUE_TEST_RESULT);
      for (const id of [ours.workflowID, theirsID]) {
        expect(await client.getWorkflow(id)).toMatchObject({
          status: 'ENQUEUED',
          workflowName: 'enqueue_test',
          applicationVersion: wrong,
        });
      }
      const [theirs] = await probePython(target, [{ op: 'status', id: ours.workflowID }]);
      expect(theirs).toEqual(comparable(await client.getWorkflow(ours.workflowID)));
      await client.cancelWorkflows([ours.workflowID, theirsID]);
    });

    it('enqueue is idempotent by workflow ID: one row and the first inputs, whichever client enqueues again', async () => {
      const id = uid('idempotent');
      const first = await enqueueTest(id);
      const second = await client.enqueue({ ...interop, workflowName: 'enqueue_test', workflowID: id }, 7, 'other', {});
      const [theirs] = await probePython(target, [
        {
          op: 'enqueue',
          options: { queue_name: 'interop', workflow_name: 'enqueue_test', workflow_id: id },
          args: [8, 'python', {}],
        },
      ]);
      expect([second.workflowID, theirs]).toEqual([id, id]);
      expect(await first.getResult(RESULT_WAIT)).toBe(ENQUEUE_TEST_RESULT);
      expect(await client.listWorkflows({ workflowIDs: [id] })).toHaveLength(1);
    });

    it('send with a topic and without one reaches DBOS.recv, from either client', async () => {
      const enqueueSendTest = (label: string, ...topic: string[]) =>
        client.enqueue({ ...interop, workflowName: 'send_test', workflowID: uid(label) }, ...topic);
      const withTopic = await enqueueSendTest('send-topic', 'test-topic');
      const noTopic = await enqueueSendTest('send-no-topic');
      const pythonTopic = await enqueueSendTest('send-topic-python', 'test-topic');
      const pythonNoTopic = await enqueueSendTest('send-no-topic-python');
      await client.send(withTopic.workflowID, 'Hello, DBOS! topic', 'test-topic');
      await client.send(noTopic.workflowID, 'Hello, DBOS! no topic');
      await probePython(target, [
        { op: 'send', id: pythonTopic.workflowID, message: 'from python', topic: 'test-topic' },
        { op: 'send', id: pythonNoTopic.workflowID, message: 'from python, no topic' },
      ]);
      expect(
        await Promise.all([withTopic, noTopic, pythonTopic, pythonNoTopic].map((h) => h.getResult(RESULT_WAIT))),
      ).toEqual(['Hello, DBOS! topic', 'Hello, DBOS! no topic', 'from python', 'from python, no topic']);
    });

    const notifications = (id: string) =>
      sql<{ message_uuid: string }[]>`SELECT message_uuid FROM dbos.notifications WHERE destination_uuid = ${id}`;
    /** A send_test on topic `topic` held DELAYED, so messages wait in the table until the test releases it. */
    const heldReceiver = async (label: string) => {
      const receiver = await client.enqueue(
        { ...interop, workflowName: 'send_test', workflowID: uid(label), delaySeconds: 3600 },
        'topic',
      );
      return { receiver, id: receiver.workflowID, key: uid('idempotency') };
    };

    it('send is idempotent by key: one notification, keyed as DBOS Python 2.30 keys it, whichever client sends again (setWorkflowDelay(0) is refused as in the TS SDK; DBOS Python’s client accepts 0)', async () => {
      const { receiver, id, key } = await heldReceiver('send-idem');
      await client.send(id, 'once', 'topic', key);
      await client.send(id, 'once', 'topic', key);
      await probePython(target, [{ op: 'send', id, message: 'once', topic: 'topic', key }]);
      expect(await notifications(id)).toEqual([{ message_uuid: `${key}::${id}` }]);
      // dbos-edge refuses a delay of 0 s as the TS SDK does; DBOS Python's client takes it as "now".
      await expect(client.setWorkflowDelay(id, 0)).rejects.toBeInstanceOf(ValidationError);
      await probePython(target, [{ op: 'set_delay', id, seconds: 0 }]);
      expect(await receiver.getResult(RESULT_WAIT)).toBe('once');
    });

    it('a send whose notification was lost is delivered by sending again with its key (2.30 records no send workflow, so the old recovery_attempts check does not apply)', async () => {
      const { receiver, id, key } = await heldReceiver('send-lost');
      await client.send(id, 'resent', 'topic', key);
      expect((await sql`DELETE FROM dbos.notifications WHERE destination_uuid = ${id}`).count).toBe(1);
      await client.send(id, 'resent', 'topic', key);
      expect(await notifications(id)).toHaveLength(1);
      await client.setWorkflowDelay(id, { delayUntilEpochMS: Date.now() });
      expect(await receiver.getResult(RESULT_WAIT)).toBe('resent');
    });

    it('get_event while the workflow runs, after it finished, and updated, as DBOS Python’s client reads it', async () => {
      const start = (label: string, update: boolean) =>
        client.enqueue<string>(
          { ...interop, workflowName: 'event_test', workflowID: uid(label) },
          `key-${label}`,
          `value-${label}`,
          update,
        );
      const running = await start('running', false);
      expect(await client.getEvent(running.workflowID, 'key-running', { timeoutSeconds: 10 })).toBe('value-running');
      expect(await running.getResult(RESULT_WAIT)).toBe('key-running-value-running');
      const finished = await start('finished', false);
      await finished.getResult(RESULT_WAIT);
      expect(await client.getEvent(finished.workflowID, 'key-finished', 10)).toBe('value-finished');

      const updated = await start('updated', true);
      expect(await client.getEvent(updated.workflowID, 'key-updated', 10)).toBe('value-updated');
      const [before] = await probePython(target, [{ op: 'get_event', id: updated.workflowID, key: 'key-updated' }]);
      expect(before).toBe('value-updated');
      await client.send(updated.workflowID, 'go', 'update');
      expect(await updated.getResult(RESULT_WAIT)).toBe('key-updated-value-updated');
      expect(await client.getEvent(updated.workflowID, 'key-updated', 10)).toBe('updated-value-updated');
      const [after] = await probePython(target, [{ op: 'get_event', id: updated.workflowID, key: 'key-updated' }]);
      expect(after).toBe('updated-value-updated');
    });

    it('retrieveWorkflow of a pending workflow reads PENDING then its result, and of a finished one its result, as DBOS Python’s client', async () => {
      const pending = await client.enqueue(
        { ...interop, workflowName: 'send_test', workflowID: uid('retrieve-pending') },
        'release',
      );
      const retrieved = client.retrieveWorkflow<string>(pending.workflowID);
      await waitUntil(async () => (await retrieved.getStatus())?.status === 'PENDING', RESULT_WAIT);
      const [theirsPending] = await probePython(target, [{ op: 'status', id: pending.workflowID }]);
      expect(theirsPending).toMatchObject({ status: 'PENDING' });
      await client.send(pending.workflowID, 'Hello, DBOS!', 'release');
      expect(await retrieved.getResult(RESULT_WAIT)).toBe('Hello, DBOS!');
      const done = client.retrieveWorkflow<string>(pending.workflowID);
      expect(await done.getResult(RESULT_WAIT)).toBe('Hello, DBOS!');
      const [theirsDone] = await probePython(target, [{ op: 'result', id: pending.workflowID }]);
      expect(theirsDone).toEqual({ output: 'Hello, DBOS!' });
    });
  });
});

describe.concurrent('renameApplication on the rows a stopped Python app wrote', () => {
  const run = Date.now().toString(36);
  // DBOS Python's own rule for application names: 3 to 30 lowercase letters, digits, dashes and underscores.
  const oldName = `pyren-old-${run}`;
  const newName = `pyren-new-${run}`;
  const appVersion = 'py-ren-v1';

  it('moves queues, versions and workflows to the new name, which the restarted app runs; DBOS Python’s rename moves the same rows back', async () => {
    const db = await createTestDatabase('edge_pyparity_rename');
    const probeAs = (appName: string): ProbeTarget => ({ databaseUrl: db.url, appName, serializer: 'pickle' });
    const client = new DBOSClient({ systemDatabaseUrl: db.url, applicationName: oldName });
    const start = (appName: string) =>
      startPythonApp({ databaseUrl: db.url, appName, appVersion, serializer: 'pickle' });
    try {
      const first = await start(oldName);
      try {
        await client.waitAll(
          ['py-own-echo', 'py-own-steps'].map((id) => client.retrieveWorkflow(id)),
          RESULT_WAIT,
        );
        await client.registerQueue('renamed-queue', { minPollingIntervalMs: 100 });
      } finally {
        await first.stop();
      }
      const waiting = await client.enqueue<number>({ queueName: 'renamed-queue', workflowName: 'add' }, 20, 22);
      const ownWorkflows = await client.listWorkflows({ workflowIDPrefix: 'py-own-' });
      const moved = await client.renameApplication(oldName, newName);
      expect(moved).toMatchObject({ queues: 1, schedules: 0, versions: 1 });
      expect(moved.workflows).toBeGreaterThanOrEqual(ownWorkflows.length + 1);
      expect(moved.steps).toBeGreaterThanOrEqual(3);
      const [newQueues, newVersions] = await probePython(probeAs(newName), [{ op: 'queues' }, { op: 'versions' }]);
      expect(newQueues).toMatchObject([{ name: 'renamed-queue', applicationName: newName }]);
      expect(newVersions).toMatchObject([{ version_name: appVersion, application_name: newName }]);
      expect(await probePython(probeAs(oldName), [{ op: 'queues' }])).toEqual([[]]);

      const [back] = await probePython(probeAs(newName), [{ op: 'rename', old: newName, new: oldName }]);
      expect(back).toEqual(moved);
      expect(await client.renameApplication(oldName, newName)).toEqual(moved);

      const second = await start(newName);
      try {
        expect(await waiting.getResult(RESULT_WAIT)).toBe(42);
        expect((await waiting.getStatus())?.applicationName).toBe(newName);
      } finally {
        await second.stop();
      }
    } finally {
      await Promise.all([client.destroy(), closePythonProbe(probeAs(oldName)), closePythonProbe(probeAs(newName))]);
      await db.drop();
    }
  });
});
