/** The client against a real Postgres holding a DBOS system schema made by ensureSchema (no worker needed). */
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresDriver } from '../../adapters/postgres.ts';
import {
  DBOSClient,
  DBOSConflictingWorkflowError,
  DBOSQueueDuplicatedError,
  DBOSSerializationError,
  DBOSWorkflowError,
  ensureSchema,
  SchemaError,
  ValidationError,
} from '../../src/index.ts';
import { countingDriver } from '../helpers/counting.ts';
import { createDbosDatabase, createTestDatabase } from '../helpers/pg.ts';

let db: Awaited<ReturnType<typeof createDbosDatabase>>;
let sql: postgres.Sql;

beforeAll(async () => {
  db = await createDbosDatabase('edge_client');
  sql = db.sql;
});

afterAll(() => db?.drop());

describe('validation happens before any SQL', () => {
  it.each([
    ['an empty workflow ID', { queueName: 'q', workflowName: 'w', workflowID: '' }, [], 'options.workflowID'],
    ['a priority out of range', { queueName: 'q', workflowName: 'w', priority: -5 }, [], 'options.priority'],
    [
      'a non-positive timeout',
      { queueName: 'q', workflowName: 'w', workflowTimeoutMS: -1 },
      [],
      'options.workflowTimeoutMS',
    ],
    ['an unknown option', { queueName: 'q', workflowName: 'w', retries: 3 }, [], 'options.retries'],
    ['an unserialisable argument', { queueName: 'q', workflowName: 'w' }, [1, Symbol('x')], 'args[1]'],
  ])('rejects %s, naming the field', async (_label, options, args, field) => {
    const driver = countingDriver(postgresDriver(db.url));
    const client = new DBOSClient({ driver });
    // biome-ignore lint/suspicious/noExplicitAny: deliberately invalid input
    const err = await client.enqueue(options as any, ...args).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.issues.map((i: { field: string }) => i.field)).toContain(field);
    expect(driver.calls).toEqual([]);
    await client.destroy();
    await driver.close();
  });

  it('rejects empty IDs on every ID-taking call', async () => {
    const client = new DBOSClient({ systemDatabaseUrl: db.url });
    expect(() => client.retrieveWorkflow('')).toThrow(ValidationError);
    await expect(client.cancelWorkflow(' ')).rejects.toBeInstanceOf(ValidationError);
    await expect(client.forkWorkflow('x', -1)).rejects.toMatchObject({ issues: [{ field: 'startStep' }] });
    await expect(client.waitFirst([])).rejects.toBeInstanceOf(ValidationError);
    await expect(client.retrieveWorkflow('x').getResult({ timeoutMs: 0 })).rejects.toBeInstanceOf(ValidationError);
    await client.destroy();
  });

  it('validates the configuration: schema name, URL, unknown keys', () => {
    expect(() => new DBOSClient({ systemDatabaseUrl: db.url, systemDatabaseSchemaName: 'x"; drop' })).toThrow(
      ValidationError,
    );
    expect(() => new DBOSClient({ systemDatabaseUrl: 'mysql://x/y' })).toThrow(/postgres/);
    expect(() => new DBOSClient({})).toThrow(/systemDatabaseUrl/);
    // biome-ignore lint/suspicious/noExplicitAny: deliberately invalid input
    expect(() => new DBOSClient({ systemDatabaseUrl: db.url, poolSize: 3 } as any)).toThrow(/poolSize/);
  });
});

describe('one round trip per operation', () => {
  it('detects the schema once, then enqueues, reads and manages in one statement each', async () => {
    const driver = countingDriver(postgresDriver(db.url));
    const client = new DBOSClient({ driver, applicationName: 'rt' });
    const h = await client.enqueue({ queueName: 'q', workflowName: 'w' }, 1);
    expect(driver.calls).toHaveLength(2); // schema detection + the enqueue
    driver.calls.length = 0;
    await client.enqueue({ queueName: 'q', workflowName: 'w' }, 2);
    await h.getStatus();
    await client.listWorkflows({ queueName: 'q' });
    await client.cancelWorkflow(h.workflowID);
    await client.resumeWorkflow(h.workflowID);
    await client.forkWorkflow(h.workflowID, 0);
    await client.listWorkflowSteps(h.workflowID);
    expect(driver.calls).toHaveLength(7);
    await client.destroy();
    await driver.close();
  });
});

describe('what enqueue writes', () => {
  it('writes the row a DBOS worker expects, the payload once, in the column every SDK version reads', async () => {
    const client = new DBOSClient({ systemDatabaseUrl: db.url, applicationName: 'shop' });
    const h = await client.enqueue(
      { queueName: 'orders', workflowName: 'process', workflowTimeoutMS: 5000, attributes: { tier: 'gold' } },
      'o-1',
      { qty: 2 },
    );
    const [row] = await sql`SELECT ws.*, (SELECT count(*)::int FROM dbos.workflow_input wi
      WHERE wi.workflow_uuid = ws.workflow_uuid) AS payload_rows FROM dbos.workflow_status ws
      WHERE workflow_uuid = ${h.workflowID}`;
    expect(row).toMatchObject({
      status: 'ENQUEUED',
      name: 'process',
      class_name: null,
      config_name: null,
      queue_name: 'orders',
      application_name: 'shop',
      application_version: null,
      recovery_attempts: '0',
      workflow_timeout_ms: '5000',
      workflow_deadline_epoch_ms: null,
      owner_xid: null,
      serialization: 'portable_json',
      attributes: { tier: 'gold' },
      priority: 0,
      inputs: '{"positionalArgs":["o-1",{"qty":2}]}',
      payload_rows: 0,
    });
    expect(row?.creator_xid).toMatch(/^[0-9a-f-]{36}$/);
    await client.destroy();
  });

  it('under 200 concurrent enqueues with one deduplication ID leaves one row and 199 typed errors', async () => {
    const client = new DBOSClient({ systemDatabaseUrl: db.url });
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) =>
        client.enqueue({ queueName: 'race', workflowName: 'w', deduplicationID: 'only-one' }, i),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(1);
    expect(failed).toHaveLength(199);
    for (const f of failed) expect(f.reason).toBeInstanceOf(DBOSQueueDuplicatedError);
    const [{ n }] =
      (await sql`SELECT count(*)::int AS n FROM dbos.workflow_status WHERE deduplication_id = 'only-one'`) as unknown as [
        { n: number },
      ];
    expect(n).toBe(1);
    await client.destroy();
  });

  it('under 200 concurrent enqueues of one workflow ID leaves one row, every caller getting its handle', async () => {
    const client = new DBOSClient({ systemDatabaseUrl: db.url });
    const handles = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        client.enqueue({ queueName: 'race', workflowName: 'w', workflowID: 'one-id' }, i),
      ),
    );
    expect(new Set(handles.map((h) => h.workflowID))).toEqual(new Set(['one-id']));
    const rows = await sql`SELECT inputs FROM dbos.workflow_status WHERE workflow_uuid = 'one-id'`;
    expect(rows).toHaveLength(1);
    await expect(
      client.enqueue({ queueName: 'race', workflowName: 'w', workflowID: 'one-id', workflowIDReusePolicy: 'reject' }),
    ).rejects.toBeInstanceOf(DBOSConflictingWorkflowError);
    await client.destroy();
  });
});

describe('schema versions', () => {
  it('writes and reads the legacy payload columns on a schema from before migration 109', async () => {
    const legacy = await createTestDatabase('edge_legacy');
    try {
      const driver = postgresDriver(legacy.url);
      await ensureSchema(driver);
      await driver.close();
      const l = postgres(legacy.url, { max: 1, onnotice: () => {} });
      await l`DROP TABLE dbos.workflow_input, dbos.workflow_output`;
      await l`ALTER TABLE dbos.workflow_status DROP COLUMN creator_xid`;
      await l`UPDATE dbos.dbos_migrations SET version = 108`;
      const client = new DBOSClient({ systemDatabaseUrl: legacy.url });
      const h = await client.enqueue({ queueName: 'q', workflowName: 'w' }, 'x');
      const [row] = await l`SELECT inputs FROM dbos.workflow_status WHERE workflow_uuid = ${h.workflowID}`;
      expect(row?.inputs).toBe('{"positionalArgs":["x"]}');
      await l`UPDATE dbos.workflow_status SET status = 'SUCCESS', output = '"done"' WHERE workflow_uuid = ${h.workflowID}`;
      expect(await h.getResult({ timeoutMs: 5000 })).toBe('done');
      expect((await h.getStatus())?.input).toEqual(['x']);
      await client.destroy();
      await l.end();
    } finally {
      await legacy.drop();
    }
  });

  it('fails with SchemaError on a database without the DBOS schema', async () => {
    const empty = await createTestDatabase('edge_empty');
    try {
      const client = new DBOSClient({ systemDatabaseUrl: empty.url });
      await expect(client.listWorkflows()).rejects.toBeInstanceOf(SchemaError);
      await client.destroy();
    } finally {
      await empty.drop();
    }
  });

  it('honours a custom schema name', async () => {
    const driver = postgresDriver(db.url);
    await ensureSchema(driver, { schema: 'dbos_alt' });
    await driver.close();
    const client = new DBOSClient({ systemDatabaseUrl: db.url, systemDatabaseSchemaName: 'dbos_alt' });
    const h = await client.enqueue({ queueName: 'q', workflowName: 'w' });
    const [row] =
      await sql`SELECT count(*)::int AS n FROM dbos_alt.workflow_status WHERE workflow_uuid = ${h.workflowID}`;
    expect(row?.n).toBe(1);
    await client.destroy();
  });
});

describe('Python-pickled payloads', () => {
  it('reads pickled results and errors, and gives an unreadable class a per-value typed error', async () => {
    const client = new DBOSClient({ systemDatabaseUrl: db.url });
    await sql`INSERT INTO dbos.workflow_status (workflow_uuid, status, name, queue_name, serialization, created_at, updated_at)
      VALUES ('pickled', 'SUCCESS', 'py_wf', 'q', 'py_pickle', 1, 1),
             ('pickled_error', 'ERROR', 'py_wf', 'q', 'py_pickle', 1, 1),
             ('pickled_class', 'SUCCESS', 'py_wf', 'q', 'py_pickle', 1, 1)`;
    // pickle.dumps(42), pickle.dumps(ValueError('bad input')), pickle.dumps(Point(1)) of a class in the app's __main__.
    await sql`INSERT INTO dbos.workflow_output (workflow_uuid, output, error)
      VALUES ('pickled', 'gARLKi4=', NULL),
             ('pickled_error', NULL, 'gASVKwAAAAAAAACMCGJ1aWx0aW5zlIwKVmFsdWVFcnJvcpSTlIwJYmFkIGlucHV0lIWUUpQu'),
             ('pickled_class', 'gASVIwAAAAAAAACMCF9fbWFpbl9flIwFUG9pbnSUk5QpgZR9lIwBeJRLAXNiLg==', NULL)`;
    expect(await client.retrieveWorkflow('pickled').getResult({ timeoutMs: 5000 })).toBe(42);
    const failed = (await client
      .retrieveWorkflow('pickled_error')
      .getResult({ timeoutMs: 5000 })
      .catch((e) => e)) as Error;
    expect(failed).toBeInstanceOf(DBOSWorkflowError);
    expect(failed).toMatchObject({ name: 'ValueError', message: 'bad input' });
    const unreadable = (await client
      .retrieveWorkflow('pickled_class')
      .getResult({ timeoutMs: 5000 })
      .catch((e) => e)) as Error;
    expect(unreadable).toBeInstanceOf(DBOSSerializationError);
    expect(unreadable.message).toMatch(/__main__\.Point/);
    const statuses = await client.listWorkflows({ workflowIDs: ['pickled', 'pickled_class'], sortDesc: false });
    const byID = new Map(statuses.map((status) => [status.workflowID, status]));
    expect(byID.get('pickled')?.output).toBe(42);
    expect(byID.get('pickled_class')?.output).toBeInstanceOf(DBOSSerializationError);
    await client.destroy();
  });
});

describe('concurrent enqueues are coalesced into shared statements', () => {
  it('sends 300 enqueues issued at once in a few statements, each with its own outcome', async () => {
    const driver = countingDriver(postgresDriver(db.url));
    const client = new DBOSClient({ driver });
    await client.listWorkflows({ limit: 1 }); // connect first, so only enqueues are counted
    const before = driver.calls.length;
    const taken = `taken-${crypto.randomUUID()}`;
    await client.enqueue({ queueName: 'q', workflowName: 'w', workflowID: taken });
    const dedup = `dedup-${crypto.randomUUID()}`;
    const results = await Promise.allSettled([
      ...Array.from({ length: 295 }, (_, i) => client.enqueue({ queueName: 'q', workflowName: 'w' }, i)),
      client.enqueue({ queueName: 'q', workflowName: 'w', workflowID: taken }), // existing: same workflow
      client.enqueue({ queueName: 'q', workflowName: 'other', workflowID: taken }), // existing: conflict
      client.enqueue({ queueName: 'q', workflowName: 'w', deduplicationID: dedup }),
      client.enqueue({ queueName: 'q', workflowName: 'w', deduplicationID: dedup }),
      client.enqueue({ queueName: 'q', workflowName: 'w', deduplicationID: dedup }),
    ]);
    const statements = driver.calls.length - before - 1;
    expect(statements).toBeLessThan(20);
    const ok = results.filter((r) => r.status === 'fulfilled');
    const failed = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
    expect(ok).toHaveLength(297);
    expect(failed.map((e) => e.constructor.name).sort()).toEqual([
      'DBOSConflictingWorkflowError',
      'DBOSQueueDuplicatedError',
      'DBOSQueueDuplicatedError',
    ]);
    const [{ n }] =
      (await sql`SELECT count(*)::int AS n FROM dbos.workflow_status WHERE deduplication_id = ${dedup}`) as unknown as [
        { n: number },
      ];
    expect(n).toBe(1);
    const args = await Promise.all(
      (ok.slice(0, 295) as PromiseFulfilledResult<{ getStatus(): Promise<{ input?: unknown } | null> }>[]).map(
        async (r) => (await r.value.getStatus())?.input,
      ),
    );
    expect(args).toEqual(Array.from({ length: 295 }, (_, i) => [i]));
    await client.destroy();
    await driver.close();
  });
});

describe('short-lived clients', () => {
  it("share a database's schema features, so a client per request costs no extra round trip", async () => {
    const warm = new DBOSClient({ systemDatabaseUrl: db.url });
    await warm.listWorkflows({ limit: 1 });
    await warm.destroy();
    const driver = countingDriver(postgresDriver(db.url, { max: 1 }));
    const perRequest = new DBOSClient({ driver });
    await perRequest.listWorkflows({ limit: 1 });
    expect(driver.calls).toHaveLength(1);
    await perRequest.destroy();
    await driver.close();
  });
});

describe('array parameters', () => {
  it('pass every string intact as a Postgres text[] literal', async () => {
    const { textArray } = await import('../../src/sql/base.ts');
    const values = ['plain', 'with "quotes"', 'back\\slash', 'NULL', '', '{braces},commas', 'ü ✓ 𝄞', '\\"', null];
    // Read back element by element (postgres.js's own text[] parser is not what is under test).
    const rows = await sql.unsafe('SELECT a FROM unnest($1::text[]) WITH ORDINALITY AS u(a, n) ORDER BY n', [
      textArray(values),
    ]);
    expect(rows.map((r) => r.a)).toEqual(values);
  });
});

describe('listQueueCounts', () => {
  it('counts unfinished workflows per queue and status in one statement, in the client’s application scope', async () => {
    const driver = countingDriver(postgresDriver(db.url));
    const client = new DBOSClient({ driver, applicationName: 'counter' });
    const other = new DBOSClient({ systemDatabaseUrl: db.url, applicationName: 'elsewhere' });
    try {
      const queue = `counts-${Date.now().toString(36)}`;
      for (let i = 0; i < 3; i++) await client.enqueue({ queueName: queue, workflowName: 'w' }, i);
      await client.enqueue({ queueName: queue, workflowName: 'w', delaySeconds: 3600 });
      const running = await client.enqueue({ queueName: `${queue}-b`, workflowName: 'w' });
      const done = await client.enqueue({ queueName: `${queue}-b`, workflowName: 'w' });
      await sql`UPDATE dbos.workflow_status SET status = 'PENDING' WHERE workflow_uuid = ${running.workflowID}`;
      await sql`UPDATE dbos.workflow_status SET status = 'SUCCESS' WHERE workflow_uuid = ${done.workflowID}`;
      await other.enqueue({ queueName: queue, workflowName: 'w' });

      const before = driver.calls.length;
      const counts = (await client.listQueueCounts()).filter((q) => q.queueName.startsWith(queue));
      expect(driver.calls.length - before).toBe(1);
      expect(counts).toEqual([
        { queueName: queue, ENQUEUED: 3, DELAYED: 1, PENDING: 0 },
        { queueName: `${queue}-b`, ENQUEUED: 0, DELAYED: 0, PENDING: 1 },
      ]);
      const everyone = (await other.listQueueCounts()).find((q) => q.queueName === queue);
      expect(everyone).toEqual({ queueName: queue, ENQUEUED: 1, DELAYED: 0, PENDING: 0 });
    } finally {
      await client.destroy();
      await other.destroy();
      await driver.close();
    }
  });
});
