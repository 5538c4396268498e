/**
 * The TS SDK's own calls on dbos-edge's client (issue 13), against a real Postgres with a schema made by
 * ensureSchema: getEvent's timeout forms (0 included), return-existing without an ID, waitAll, readStreamOffset,
 * steps without outputs, delete by ID, and the forked handle as an ID. Rows a worker would write are written here
 * with plain SQL; test/interop/sdk-calls.test.ts runs the same calls against a real DBOS worker.
 */
import pg from 'pg';
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresDriver } from '../../adapters/postgres.ts';
import {
  DBOSClient,
  DBOSConflictingOwnerError,
  DBOSInvalidWorkflowTransitionError,
  DBOSNonExistentApplicationVersionError,
  DBOSNonExistentWorkflowError,
  DBOSStreamTimeoutError,
  DBOSWaitTimeoutError,
  type ValidationError,
  type ValidationIssue,
} from '../../src/index.ts';
import { countingDriver } from '../helpers/counting.ts';
import { createDbosDatabase } from '../helpers/pg.ts';

let db: Awaited<ReturnType<typeof createDbosDatabase>>;
let sql: postgres.Sql;
let client: DBOSClient;

beforeAll(async () => {
  db = await createDbosDatabase('edge_sdk_calls');
  sql = db.sql;
  client = new DBOSClient({ systemDatabaseUrl: db.url, listen: false });
});

afterAll(async () => {
  await client?.destroy();
  await db?.drop();
});

async function workflow(status = 'PENDING', parent: string | null = null): Promise<string> {
  const id = crypto.randomUUID();
  await sql`INSERT INTO dbos.workflow_status (workflow_uuid, status, name, parent_workflow_id, created_at, updated_at)
            VALUES (${id}, ${status}, 'w', ${parent}, 0, 0)`;
  return id;
}

async function setEvent(id: string, key: string, value: unknown): Promise<void> {
  await sql`INSERT INTO dbos.workflow_events (workflow_uuid, key, value, serialization)
            VALUES (${id}, ${key}, ${JSON.stringify(value)}, 'portable_json')`;
}

async function issuesOf(call: Promise<unknown>): Promise<readonly ValidationIssue[]> {
  const error = (await call.then(
    () => undefined,
    (e: unknown) => e,
  )) as ValidationError | undefined;
  expect(error?.name).toBe('ValidationError');
  return error?.issues ?? [];
}

describe('getEvent', () => {
  it('with a timeout of 0 returns the current value at once, in every form of the timeout', async () => {
    const id = await workflow();
    await setEvent(id, 'k', { n: 1 });
    expect(await client.getEvent(id, 'k', { timeoutMs: 0 })).toEqual({ n: 1 });
    expect(await client.getEvent(id, 'k', 0)).toEqual({ n: 1 });
    expect(await client.getEvent(id, 'k', { timeoutSeconds: 0 })).toEqual({ n: 1 });
    expect(await client.getEvent(id, 'k', { deadlineEpochMS: Date.now() - 1000 })).toEqual({ n: 1 });
  });

  it('with a timeout of 0 returns null at once when the event is not set, with one lookup', async () => {
    const driver = countingDriver(postgresDriver(db.url));
    const counted = new DBOSClient({ driver, listen: false });
    const id = await workflow();
    expect(await counted.getEvent(id, 'unset', 0)).toBeNull();
    const lookups = driver.calls.filter((call) => call.includes('workflow_events'));
    expect(lookups).toHaveLength(1);
    await counted.destroy();
    await driver.close();
  });

  it("takes the SDK's seconds, { timeoutSeconds } and { deadlineEpochMS } forms and waits for a later value", async () => {
    const id = await workflow();
    const bySeconds = client.getEvent(id, 'later', 30);
    const byObject = client.getEvent(id, 'later', { timeoutSeconds: 30, pollingIntervalMs: 50 });
    const byDeadline = client.getEvent(id, 'later', { deadlineEpochMS: Date.now() + 30_000 });
    await setEvent(id, 'later', 'v');
    expect(await Promise.all([bySeconds, byObject, byDeadline])).toEqual(['v', 'v', 'v']);
  });

  it('refuses two timeout forms at once, a negative one, and a bad polling interval, naming the field', async () => {
    expect(await issuesOf(client.getEvent('w', 'k', { timeoutMs: 1, timeoutSeconds: 1 }))).toMatchObject([
      { field: 'options.timeoutSeconds', rule: 'exclusive' },
    ]);
    expect(await issuesOf(client.getEvent('w', 'k', -1))).toMatchObject([
      { field: 'options.timeoutSeconds', rule: 'min_value' },
    ]);
    expect(await issuesOf(client.getEvent('w', 'k', { pollingIntervalMs: 0 }))).toMatchObject([
      { field: 'options.pollingIntervalMs', rule: 'gt_value' },
    ]);
  });
});

describe("duplicationPolicy 'return-existing'", () => {
  it('without a deduplicationID is refused with the SDK message, before any SQL', async () => {
    const driver = countingDriver(postgresDriver(db.url));
    const counted = new DBOSClient({ driver });
    const issues = await issuesOf(
      counted.enqueue({ queueName: 'q', workflowName: 'w', duplicationPolicy: 'return-existing' }),
    );
    expect(issues).toEqual([
      {
        field: 'options.deduplicationID',
        rule: 'required',
        message: "`duplicationPolicy: 'return-existing'` requires `deduplicationID`",
      },
    ]);
    const many = await issuesOf(
      counted.enqueueMany([{ options: { queueName: 'q', workflowName: 'w', duplicationPolicy: 'return-existing' } }]),
    );
    expect(many.map((issue) => issue.field)).toEqual(['items[0].options.deduplicationID']);
    expect(driver.calls).toEqual([]);
    await counted.destroy();
    await driver.close();
  });
});

describe('waitAll', () => {
  it('returns an empty list at once, with no query', async () => {
    const driver = countingDriver(postgresDriver(db.url));
    const counted = new DBOSClient({ driver });
    expect(await counted.waitAll([])).toEqual([]);
    expect(driver.calls).toEqual([]);
    await counted.destroy();
    await driver.close();
  });

  it('resolves with the handles given, in order, once every workflow has a final status', async () => {
    const done = await workflow('ERROR');
    const running = await workflow('PENDING');
    const handles = [client.retrieveWorkflow(running), client.retrieveWorkflow(done)];
    const waiting = client.waitAll(handles, { timeoutMs: 30_000 });
    await sql`UPDATE dbos.workflow_status SET status = 'CANCELLED' WHERE workflow_uuid = ${running}`;
    const result = await waiting;
    expect(result.map((h) => h.workflowID)).toEqual([running, done]);
    expect(result[0]).toBe(handles[0]);
  });

  it('times out naming the workflows still running', async () => {
    const done = await workflow('SUCCESS');
    const running = await workflow('ENQUEUED');
    const error = await client
      .waitAll([client.retrieveWorkflow(done), client.retrieveWorkflow(running)], { timeoutMs: 100 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DBOSWaitTimeoutError);
    expect((error as DBOSWaitTimeoutError).workflowIDs).toEqual([running]);
  });
});

describe('readStreamOffset', () => {
  async function write(id: string, offset: number, value: unknown): Promise<void> {
    await sql`INSERT INTO dbos.streams (workflow_uuid, key, value, "offset", function_id, serialization)
              VALUES (${id}, 's', ${JSON.stringify(value)}, ${offset}, ${offset}, 'portable_json')`;
  }

  it('reads the one value at an offset, waiting for it to be written', async () => {
    const id = await workflow();
    await write(id, 0, 'a');
    await write(id, 1, 'b');
    expect(await client.readStreamOffset(id, 's', 1)).toBe('b');
    const later = client.readStreamOffset(id, 's', 2, { timeoutSeconds: 30 });
    await write(id, 2, { c: 3 });
    expect(await later).toEqual({ c: 3 });
  });

  it("times out with DBOSStreamTimeoutError and the SDK's message", async () => {
    const id = await workflow();
    const error = (await client.readStreamOffset(id, 's', 0, { timeoutMs: 50 }).catch((e) => e)) as Error;
    expect(error).toBeInstanceOf(DBOSStreamTimeoutError);
    expect(error.message).toBe(`No value arrived on stream s of workflow ${id} within 50ms`);
  });

  it('throws DBOSStreamTimeoutError without a timeout when the stream ended before the offset', async () => {
    const closed = await workflow();
    await write(closed, 0, 'a');
    await write(closed, 1, '__DBOS_STREAM_CLOSED__');
    const error = (await client.readStreamOffset(closed, 's', 3).catch((e) => e)) as DBOSStreamTimeoutError;
    expect(error).toBeInstanceOf(DBOSStreamTimeoutError);
    expect(error.message).toBe(`No value arrived on stream s of workflow ${closed}`);
    const finished = await workflow('SUCCESS');
    await expect(client.readStreamOffset(finished, 's', 0)).rejects.toBeInstanceOf(DBOSStreamTimeoutError);
  });

  it('refuses a negative offset, naming it', async () => {
    expect(await issuesOf(client.readStreamOffset('w', 's', -1))).toMatchObject([{ field: 'offset' }]);
  });

  it("readStream takes the SDK's timeoutSeconds and pollingIntervalMs", async () => {
    const id = await workflow();
    await write(id, 0, 'only');
    const values: unknown[] = [];
    const error = await (async () => {
      for await (const value of client.readStream(id, 's', { timeoutSeconds: 0.05, pollingIntervalMs: 10 })) {
        values.push(value);
      }
    })().catch((e: unknown) => e);
    expect(values).toEqual(['only']);
    expect(error).toBeInstanceOf(DBOSStreamTimeoutError);
    expect((error as DBOSStreamTimeoutError).message).toContain('within 50ms');
  });
});

describe('listWorkflowSteps', () => {
  it('with loadOutput: false lists the steps with null outputs and errors, unread', async () => {
    const id = await workflow('SUCCESS');
    await sql`INSERT INTO dbos.operation_outputs (workflow_uuid, function_id, function_name, output, error, serialization)
              VALUES (${id}, 0, 'one', '"out"', NULL, 'portable_json'),
                     (${id}, 1, 'two', NULL, 'not json at all', 'portable_json')`;
    const steps = await client.listWorkflowSteps(id, { loadOutput: false });
    expect(steps?.map((s) => [s.functionID, s.name, s.output, s.error])).toEqual([
      [0, 'one', null, null],
      [1, 'two', null, null],
    ]);
    const full = await client.listWorkflowSteps(id, { limit: 1 });
    expect(full?.map((s) => s.output)).toEqual(['out']);
  });
});

describe('deleteWorkflow and deleteWorkflows by ID', () => {
  it('deletes whatever the status, with steps and events; unknown IDs are skipped', async () => {
    const running = await workflow('PENDING');
    const done = await workflow('SUCCESS');
    await setEvent(done, 'k', 1);
    await sql`INSERT INTO dbos.operation_outputs (workflow_uuid, function_id, function_name) VALUES (${done}, 0, 'f')`;
    await client.deleteWorkflow(running);
    await client.deleteWorkflows([done, 'no-such-workflow']);
    const left = await sql`SELECT workflow_uuid FROM dbos.workflow_status WHERE workflow_uuid IN (${running}, ${done})`;
    expect(left).toEqual([]);
    const steps = await sql`SELECT 1 FROM dbos.operation_outputs WHERE workflow_uuid = ${done}`;
    const events = await sql`SELECT 1 FROM dbos.workflow_events WHERE workflow_uuid = ${done}`;
    expect([steps.length, events.length]).toEqual([0, 0]);
  });

  it('deletes descendants only with deleteChildren', async () => {
    const parent = await workflow('SUCCESS');
    const child = await workflow('SUCCESS', parent);
    const grandchild = await workflow('SUCCESS', child);
    const other = await workflow('SUCCESS');
    const otherChild = await workflow('SUCCESS', other);
    await client.deleteWorkflow(parent, true);
    await client.deleteWorkflows([other]);
    const left = await sql`SELECT workflow_uuid FROM dbos.workflow_status
      WHERE workflow_uuid IN (${parent}, ${child}, ${grandchild}, ${other}, ${otherChild})`;
    expect(left.map((row) => row.workflow_uuid)).toEqual([otherChild]);
  });

  it('keeps the filter form, which never deletes unfinished workflows', async () => {
    const running = await workflow('PENDING');
    expect(await client.deleteWorkflows({ filter: { workflowIDs: [running] } })).toEqual({ count: 0 });
    expect(await client.getWorkflow(running, { loadInput: false })).toBeDefined();
  });

  it('refuses an empty list and a non-boolean deleteChildren, naming the field', async () => {
    expect(await issuesOf(client.deleteWorkflows([]))).toMatchObject([{ field: 'workflowIDs' }]);
    expect(await issuesOf(client.deleteWorkflow('w', 'yes' as never))).toMatchObject([{ field: 'deleteChildren' }]);
  });
});

describe('forkWorkflow', () => {
  it('returns a handle that prints and serializes as the ID the TS SDK returns', async () => {
    const original = await workflow('SUCCESS');
    const handle = await client.forkWorkflow(original, 0, { newWorkflowID: `${original}-fork` });
    expect(`${handle}`).toBe(`${original}-fork`);
    expect(JSON.stringify({ forked: handle })).toBe(JSON.stringify({ forked: `${original}-fork` }));
    expect((await handle.getStatus())?.forkedFrom).toBe(original);
  });
});

describe('setWorkflowPriority and setWorkflowDelay', () => {
  it('change a workflow waiting on its queue, and leave any other as it is, as the SDK does', async () => {
    const enqueued = await workflow('ENQUEUED');
    const delayed = await workflow('DELAYED');
    const running = await workflow('PENDING');
    expect(await client.setWorkflowPriority(enqueued, 7)).toBe(true);
    expect(await client.setWorkflowPriority(delayed, 3)).toBe(true);
    expect(await client.setWorkflowPriority(running, 1)).toBe(false);
    expect(await client.setWorkflowPriority('no-such-workflow', 1)).toBe(false);
    const rows = await sql`SELECT workflow_uuid, priority FROM dbos.workflow_status
      WHERE workflow_uuid IN (${enqueued}, ${delayed}, ${running})`;
    expect(Object.fromEntries(rows.map((r) => [r.workflow_uuid, r.priority]))).toEqual({
      [enqueued]: 7,
      [delayed]: 3,
      [running]: 0,
    });

    expect(await client.setWorkflowDelay(delayed, { delayUntilEpochMS: 4_000_000_000_000 })).toBe(true);
    expect(await client.setWorkflowDelay(enqueued, 10)).toBe(false);
    const [until] = await sql`SELECT delay_until_epoch_ms FROM dbos.workflow_status WHERE workflow_uuid = ${delayed}`;
    expect(Number(until?.delay_until_epoch_ms)).toBe(4_000_000_000_000);
    const [now] = await sql`SELECT (EXTRACT(EPOCH FROM now()) * 1000)::bigint AS ms`;
    expect(await client.setWorkflowDelay(delayed, { delaySeconds: 3600 })).toBe(true);
    const [later] = await sql`SELECT delay_until_epoch_ms FROM dbos.workflow_status WHERE workflow_uuid = ${delayed}`;
    expect(Number(later?.delay_until_epoch_ms) - Number(now?.ms)).toBeGreaterThanOrEqual(3_600_000);
    expect(Number(later?.delay_until_epoch_ms) - Number(now?.ms)).toBeLessThan(3_660_000);
  });

  it("refuses bad values with the SDK's words, naming the field", async () => {
    expect(await issuesOf(client.setWorkflowPriority('w', -1))).toMatchObject([{ field: 'priority' }]);
    expect(await issuesOf(client.setWorkflowDelay('w', 0))).toEqual([
      { field: 'delaySeconds', rule: 'gt_value', message: 'delaySeconds must be greater than 0' },
    ]);
    expect(await issuesOf(client.setWorkflowDelay('w', { delayUntilEpochMS: -5 }))).toMatchObject([
      { field: 'options.delayUntilEpochMS', message: 'delayUntilEpochMS must be greater than 0' },
    ]);
    expect(await issuesOf(client.setWorkflowDelay('w', {}))).toMatchObject([
      { field: 'options', message: 'SetWorkflowDelayOptions must specify either delaySeconds or delayUntilEpochMS' },
    ]);
  });
});

describe('application versions', () => {
  let shop: DBOSClient;
  let fresh: DBOSClient;

  beforeAll(async () => {
    await sql`INSERT INTO dbos.application_versions (version_id, version_name, version_timestamp, created_at, application_name)
      VALUES ('id-1', 'shop-v1', 1000, 1000, 'shop'), ('id-2', 'shop-v2', 2000, 2000, 'shop'),
             ('id-3', 'billing-v1', 3000, 3000, 'billing'), ('id-4', 'legacy', 500, 500, NULL)`;
    shop = new DBOSClient({ systemDatabaseUrl: db.url, applicationName: 'shop' });
    fresh = new DBOSClient({ systemDatabaseUrl: db.url, applicationName: 'nobody-yet' });
  });
  afterAll(async () => {
    await shop?.destroy();
    await fresh?.destroy();
  });

  it("lists the application's and unclaimed versions, latest first, and names the latest", async () => {
    expect((await shop.listApplicationVersions()).map((version) => version.versionName)).toEqual([
      'shop-v2',
      'shop-v1',
      'legacy',
    ]);
    expect(await shop.getLatestApplicationVersion()).toEqual({
      versionId: 'id-2',
      versionName: 'shop-v2',
      versionTimestamp: 2000,
      createdAt: 2000,
      applicationName: 'shop',
    });
  });

  it('promotes a version to the latest, claims an unclaimed one, and refuses another application’s', async () => {
    await shop.setLatestApplicationVersion('shop-v1');
    expect((await shop.getLatestApplicationVersion()).versionName).toBe('shop-v1');
    await shop.setLatestApplicationVersion('legacy');
    expect(await shop.getLatestApplicationVersion()).toMatchObject({ versionName: 'legacy', applicationName: 'shop' });
    const error = (await shop.setLatestApplicationVersion('billing-v1').catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(DBOSConflictingOwnerError);
    expect(error.message).toBe(
      "Application version 'billing-v1' is already registered by application 'billing' in this system database. Application version names must be unique across applications sharing a system database. Either set a distinct applicationVersion for 'shop', or, if 'billing' was renamed to 'shop', re-own its rows first with dbos rename-application",
    );
    const [billing] =
      await sql`SELECT version_timestamp FROM dbos.application_versions WHERE version_name = 'billing-v1'`;
    expect(Number(billing?.version_timestamp)).toBe(3000);
    await shop.setLatestApplicationVersion('billing-v1', { applicationName: 'billing' });
  });

  it('throws a typed error for an unknown version and for an application without versions', async () => {
    await expect(shop.setLatestApplicationVersion('no-such-version')).rejects.toBeInstanceOf(
      DBOSNonExistentApplicationVersionError,
    );
    await sql`DELETE FROM dbos.application_versions WHERE application_name IS NULL`;
    await expect(fresh.getLatestApplicationVersion()).rejects.toThrow('No application versions found');
  });
});

describe('rewindWorkflow', () => {
  it('drops the history from startStep, rolls events back, and enqueues the same ID again', async () => {
    const id = await workflow('SUCCESS');
    await sql`UPDATE dbos.workflow_status SET queue_name = 'q', output = '"done"', completed_at = 5 WHERE workflow_uuid = ${id}`;
    await sql`INSERT INTO dbos.operation_outputs (workflow_uuid, function_id, function_name)
              VALUES (${id}, 0, 's0'), (${id}, 1, 's1'), (${id}, 2, 's2')`;
    await sql`INSERT INTO dbos.workflow_events_history (workflow_uuid, function_id, key, value, serialization)
              VALUES (${id}, 0, 'a', '"a0"', 'portable_json'), (${id}, 2, 'a', '"a2"', 'portable_json'),
                     (${id}, 2, 'b', '"b2"', 'portable_json'), (${id}, 1, 'c', '"c1"', 'portable_json')`;
    await sql`INSERT INTO dbos.workflow_events (workflow_uuid, key, value, serialization)
              VALUES (${id}, 'a', '"a2"', 'portable_json'), (${id}, 'b', '"b2"', 'portable_json'),
                     (${id}, 'c', '"c1"', 'portable_json')`;
    await sql`INSERT INTO dbos.streams (workflow_uuid, key, value, "offset", function_id, serialization)
              VALUES (${id}, 's', '"v"', 0, 0, 'portable_json'), (${id}, 's', '"late"', 1, 2, 'portable_json'),
                     (${id}, 's', '"__DBOS_STREAM_CLOSED__"', 2, 3, 'portable_json')`;
    await sql`INSERT INTO dbos.notifications (message_uuid, destination_uuid, topic, message, consumed, consumed_by_function_id)
              VALUES ('m1', ${id}, 't', '1', true, 1), ('m2', ${id}, 't', '2', true, 2), ('m3', ${id}, 't', '3', false, NULL)`;

    const handle = await client.rewindWorkflow(id, { startStep: 2 });
    expect(handle.workflowID).toBe(id);
    const [status] =
      await sql`SELECT status, queue_name, output, completed_at FROM dbos.workflow_status WHERE workflow_uuid = ${id}`;
    expect(status).toEqual({
      status: 'ENQUEUED',
      queue_name: '_dbos_internal_queue',
      output: null,
      completed_at: null,
    });
    const steps = await sql`SELECT function_id FROM dbos.operation_outputs WHERE workflow_uuid = ${id} ORDER BY 1`;
    expect(steps.map((s) => s.function_id)).toEqual([0, 1]);
    const events = await sql`SELECT key, value FROM dbos.workflow_events WHERE workflow_uuid = ${id} ORDER BY key`;
    expect(events.map((e) => [e.key, e.value])).toEqual([
      ['a', '"a0"'],
      ['c', '"c1"'],
    ]);
    const history =
      await sql`SELECT function_id, key FROM dbos.workflow_events_history WHERE workflow_uuid = ${id} ORDER BY 1, 2`;
    expect(history.map((h) => [h.function_id, h.key])).toEqual([
      [0, 'a'],
      [1, 'c'],
    ]);
    const stream = await sql`SELECT "offset" FROM dbos.streams WHERE workflow_uuid = ${id} ORDER BY 1`;
    expect(stream.map((s) => s.offset)).toEqual([0, 1]);
    const messages = await sql`SELECT message_uuid FROM dbos.notifications WHERE destination_uuid = ${id}`;
    expect(messages.map((m) => m.message_uuid)).toEqual(['m1']);
  });

  it('refuses a workflow still running, and an unknown one', async () => {
    const running = await workflow('PENDING');
    const error = (await client.rewindWorkflow(running).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(DBOSInvalidWorkflowTransitionError);
    expect(error.message).toBe(
      `Cannot rewind ${running} (PENDING): only a workflow in a terminal state can be rewound, so cancel it first`,
    );
    await expect(client.rewindWorkflow('no-such-workflow')).rejects.toBeInstanceOf(DBOSNonExistentWorkflowError);
    expect(await issuesOf(client.rewindWorkflow('w', { startStep: -1 }))).toMatchObject([
      { field: 'options.startStep' },
    ]);
  });
});

describe("DBOSClient.create with the SDK's settings", () => {
  it('uses a pg Pool the caller owns as the driver, and leaves it open on destroy', async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    try {
      const created = await DBOSClient.create({
        systemDatabaseUrl: 'postgres://nobody@127.0.0.1:1/never', // the pool wins, as in the SDK
        systemDatabasePool: pool,
        systemDatabasePoolSize: 4,
        systemDatabasePollingConcurrency: 2,
        logger: console,
        observabilityQueryTimeoutMs: 1000,
        systemDatabaseIdleTransactionTimeoutMs: 0,
        applicationName: 'pooled',
      });
      const handle = await created.enqueue({ queueName: 'q', workflowName: 'w' }, 1);
      const status = await created.getWorkflow(handle.workflowID);
      expect(status).toMatchObject({ status: 'ENQUEUED', applicationName: 'pooled', input: [1] });
      expect(typeof status?.createdAt).toBe('number');
      await created.destroy();
      expect((await pool.query('SELECT 1 AS open')).rows).toEqual([{ open: 1 }]);
    } finally {
      await pool.end();
    }
  });

  it('refuses a pool that is not one, and still refuses unknown settings, naming the field', async () => {
    expect(
      await issuesOf(DBOSClient.create({ systemDatabaseUrl: db.url, systemDatabasePool: {} as never })),
    ).toMatchObject([
      { field: 'config.systemDatabasePool', message: 'must be a pg Pool (with query() and connect())' },
    ]);
    expect(await issuesOf(DBOSClient.create({ systemDatabaseUrl: db.url, systemDatabasePoolSize: 0 }))).toMatchObject([
      { field: 'config.systemDatabasePoolSize' },
    ]);
    expect(await issuesOf(DBOSClient.create({ systemDatabaseUrl: db.url, poolSize: 3 } as never))).toMatchObject([
      { field: 'config.poolSize', rule: 'unknown_field' },
    ]);
  });
});
