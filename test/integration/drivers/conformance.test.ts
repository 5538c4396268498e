/**
 * One client suite, run once per driver (postgres.js, Neon HTTP, Neon WebSocket, PGlite) with the same
 * assertions. Each driver gets its own fresh database, and its DBOS schema is made through the driver itself.
 * Rows a worker would write (results, steps, events, stream values) are written with SQL through the same driver.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DBOSAwaitedWorkflowCancelledError,
  DBOSClient,
  type DBOSClientConfig,
  DBOSConflictingWorkflowError,
  DBOSNonExistentWorkflowError,
  DBOSQueueDuplicatedError,
  DBOSWaitTimeoutError,
  DBOSWorkflowError,
  DriverError,
  ensureSchema,
} from '../../../src/index.ts';
import { DRIVER_CASES, type OpenDriver } from '../../fixtures/drivers.ts';
import { countingDriver } from '../../helpers/counting.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of stream) values.push(value);
  return values;
}

describe.each(DRIVER_CASES)('$name', (c) => {
  let h: OpenDriver;
  const clients: DBOSClient[] = [];
  const run = Math.random().toString(36).slice(2, 8);
  const uid = (label: string) => `${label}-${run}-${Math.random().toString(36).slice(2, 8)}`;

  /** A client on the driver under test (it does not own the driver), destroyed after the suite. */
  const client = (config: Partial<DBOSClientConfig> = {}) => {
    const cl = new DBOSClient({ driver: h.driver, polling: { minIntervalMs: 10, maxIntervalMs: 50 }, ...config });
    clients.push(cl);
    return cl;
  };

  /** A workflow row as a worker would leave it, made with SQL. */
  async function workflow(status = 'PENDING'): Promise<string> {
    const id = uid('wf');
    await h.sql(
      `INSERT INTO dbos.workflow_status (workflow_uuid, status, name, serialization, created_at, updated_at)
       VALUES ($1, $2, 'w', 'portable_json', 0, 0)`,
      [id, status],
    );
    return id;
  }

  const finish = async (id: string, status: 'SUCCESS' | 'ERROR', payload: string) => {
    await h.sql(
      `INSERT INTO dbos.workflow_output (workflow_uuid, ${status === 'SUCCESS' ? 'output' : 'error'}) VALUES ($1, $2)`,
      [id, payload],
    );
    await h.sql(`UPDATE dbos.workflow_status SET status = $2, completed_at = 1 WHERE workflow_uuid = $1`, [id, status]);
  };

  beforeAll(async () => {
    h = await c.open();
  });

  afterAll(async () => {
    await Promise.all(clients.map((cl) => cl.destroy()));
    await h?.close();
  });

  describe('the driver', () => {
    it('makes the DBOS schema (ensureSchema runs as one batch)', async () => {
      const result = await ensureSchema(h.driver);
      expect(result).toEqual({ created: true, version: 123 });
      expect(await ensureSchema(h.driver)).toEqual({ created: false, version: 123 });
      const [row] = await h.sql(`SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'dbos'`);
      expect(row?.n).toBe(13);
    });

    it('keeps the value conventions: int8 as number, json parsed, bool, text, arrays, null', async () => {
      const rows = await h.sql(
        `SELECT 1::int8 AS a, $1::int8 AS p, '{"x":[1,null]}'::jsonb AS j, true AS b, $2::boolean AS bb,
                ARRAY['a','b"c']::text[] AS arr, ARRAY[1,2]::int8[] AS ia, NULL::text AS n, $3::text AS t, 42 AS i`,
        ['1700000000000', true, 'ü ✓'],
      );
      expect(rows).toEqual([
        {
          a: 1,
          p: 1700000000000,
          j: { x: [1, null] },
          b: true,
          bb: true,
          arr: ['a', 'b"c'],
          ia: [1, 2],
          n: null,
          t: 'ü ✓',
          i: 42,
        },
      ]);
      await expect(h.sql('SELECT 9007199254740993::int8 AS x')).rejects.toThrow(/does not fit a JS number/);
    });

    it('reports Postgres errors as DriverError with the same sqlState, constraint and detail', async () => {
      const insert = `INSERT INTO dbos.workflow_status (workflow_uuid, queue_name, deduplication_id) VALUES ($1, 'dq-raw', 'd')`;
      await h.sql(insert, [uid('raw')]);
      const err = await h.sql(insert, [uid('raw')]).catch((e) => e);
      expect(err).toBeInstanceOf(DriverError);
      expect({ sqlState: err.sqlState, constraint: err.constraint, detail: err.detail }).toEqual({
        sqlState: '23505',
        constraint: 'uq_workflow_status_dedup_id',
        detail: 'Key (queue_name, deduplication_id)=(dq-raw, d) already exists.',
      });
      expect(err.message).toBe('duplicate key value violates unique constraint "uq_workflow_status_dedup_id"');
      await expect(h.sql('SELECT * FROM dbos.no_such_table')).rejects.toMatchObject({ sqlState: '42P01' });
    });

    it('runs a batch all or nothing, returning each statement’s rows', async () => {
      const [a, b] = [uid('batch'), uid('batch')];
      const ins = (id: string) => ({
        text: `INSERT INTO dbos.workflow_status (workflow_uuid) VALUES ($1)`,
        params: [id],
      });
      const err = await h.driver.batch([ins(a), { text: 'SELECT no_such_column', params: [] }]).catch((e) => e);
      expect(err).toBeInstanceOf(DriverError);
      expect(err.sqlState).toBe('42703');
      expect(await h.sql('SELECT 1 FROM dbos.workflow_status WHERE workflow_uuid = $1', [a])).toEqual([]);
      const results = await h.driver.batch([
        ins(b),
        { text: 'SELECT workflow_uuid FROM dbos.workflow_status WHERE workflow_uuid = $1', params: [b] },
      ]);
      expect(results).toEqual([[], [{ workflow_uuid: b }]]);
    });

    it(c.listens ? 'delivers NOTIFY to every subscriber through listen()' : 'has no listen(): waits poll', async () => {
      if (!c.listens) {
        expect(h.driver.listen).toBeUndefined();
        return;
      }
      const got: string[][] = [[], [], []];
      const channel = `edge_test_${run}`;
      const unlisten = await Promise.all(got.map((g) => h.driver.listen?.(channel, (p) => g.push(p))));
      await h.sql('SELECT pg_notify($1, $2)', [channel, 'one']);
      await expect.poll(() => got.map((g) => g.join()), { timeout: 5000 }).toEqual(['one', 'one', 'one']);
      await unlisten[0]?.();
      await h.sql('SELECT pg_notify($1, $2)', [channel, 'two']);
      await expect.poll(() => got.map((g) => g.join()), { timeout: 5000 }).toEqual(['one', 'one,two', 'one,two']);
      await Promise.all(unlisten.slice(1).map((u) => u?.()));
    });
  });

  describe('the client', () => {
    it('enqueues with portable and native serialization', async () => {
      const cl = client({ applicationName: 'conf' });
      const p = await cl.enqueue({ queueName: 'q', workflowName: 'add' }, 2, 3);
      const n = await cl.enqueue(
        { queueName: 'q', workflowName: 'echo', serializationType: 'native' },
        new Date(0),
        new Map([['k', 1]]),
      );
      const [row] = await h.sql(
        `SELECT status, serialization, application_name, inputs FROM dbos.workflow_status WHERE workflow_uuid = $1`,
        [p.workflowID],
      );
      expect(row).toEqual({
        status: 'ENQUEUED',
        serialization: 'portable_json',
        application_name: 'conf',
        inputs: '{"positionalArgs":[2,3]}',
      });
      const status = await cl.getWorkflow(n.workflowID);
      expect(status).toMatchObject({ status: 'ENQUEUED', workflowName: 'echo', serialization: 'js_superjson' });
      expect(status?.input).toEqual([new Date(0), new Map([['k', 1]])]);
    });

    it('rejects a duplicate deduplication ID with the typed error, or returns the existing workflow', async () => {
      const cl = client();
      const dedup = uid('dedup');
      const first = await cl.enqueue({ queueName: 'dq', workflowName: 'w', deduplicationID: dedup });
      const err = await cl.enqueue({ queueName: 'dq', workflowName: 'w', deduplicationID: dedup }).catch((e) => e);
      expect(err).toBeInstanceOf(DBOSQueueDuplicatedError);
      expect(err).toMatchObject({ queueName: 'dq', deduplicationID: dedup });
      const same = await cl.enqueue({
        queueName: 'dq',
        workflowName: 'w',
        deduplicationID: dedup,
        duplicationPolicy: 'return-existing',
      });
      expect(same.workflowID).toBe(first.workflowID);
      const [row] = await h.sql('SELECT count(*) AS n FROM dbos.workflow_status WHERE deduplication_id = $1', [dedup]);
      expect(row?.n).toBe(1);
    });

    it('reuses a workflow ID for the same workflow and refuses it for another', async () => {
      const cl = client();
      const id = uid('same');
      await cl.enqueue({ queueName: 'q', workflowName: 'w', workflowID: id }, 1);
      expect((await cl.enqueue({ queueName: 'q', workflowName: 'w', workflowID: id }, 2)).workflowID).toBe(id);
      expect((await cl.getWorkflow(id))?.input).toEqual([1]);
      await expect(cl.enqueue({ queueName: 'q', workflowName: 'other', workflowID: id })).rejects.toBeInstanceOf(
        DBOSConflictingWorkflowError,
      );
      await expect(
        cl.enqueue({ queueName: 'q', workflowName: 'w', workflowID: id, workflowIDReusePolicy: 'reject' }),
      ).rejects.toBeInstanceOf(DBOSConflictingWorkflowError);
      const [row] = await h.sql('SELECT count(*) AS n FROM dbos.workflow_status WHERE workflow_uuid = $1', [id]);
      expect(row?.n).toBe(1);
    });

    it('gets and lists workflows with filters', async () => {
      const cl = client();
      const prefix = uid('list');
      const ids = [`${prefix}-1`, `${prefix}-2`, `${prefix}-3`];
      for (const [i, id] of ids.entries()) {
        await cl.enqueue({ queueName: 'lq', workflowName: i < 2 ? 'la' : 'lb', workflowID: id }, i);
        await sleep(2); // distinct created_at
      }
      await finish(ids[1] as string, 'SUCCESS', '"done"');
      const idsOf = (ws: { workflowID: string }[]) => ws.map((w) => w.workflowID);
      expect(idsOf(await cl.listWorkflows({ workflowIDPrefix: prefix }))).toEqual(ids);
      expect(idsOf(await cl.listWorkflows({ workflowIDPrefix: prefix, workflowName: 'la' }))).toEqual(ids.slice(0, 2));
      expect(idsOf(await cl.listWorkflows({ workflowIDPrefix: prefix, status: 'SUCCESS' }))).toEqual([ids[1]]);
      expect(
        idsOf(await cl.listWorkflows({ workflowIDPrefix: prefix, queueName: 'lq', limit: 2, sortDesc: true })),
      ).toEqual([ids[2], ids[1]]);
      const [one] = await cl.listWorkflows({ workflowIDs: [ids[1] as string] });
      expect(one).toMatchObject({ workflowID: ids[1], status: 'SUCCESS', output: 'done', input: [1], queueName: 'lq' });
      expect(await cl.getWorkflow(ids[0] as string)).toMatchObject({
        workflowName: 'la',
        status: 'ENQUEUED',
        input: [0],
      });
      expect(await cl.getWorkflow(uid('missing'))).toBeUndefined();
    });

    it('cancels, resumes and forks (the fork copies the steps before startStep)', async () => {
      const cl = client();
      const wf = await cl.enqueue({ queueName: 'q', workflowName: 'three_steps' }, 'x');
      await cl.cancelWorkflow(wf.workflowID);
      expect((await wf.getStatus())?.status).toBe('CANCELLED');
      await expect(wf.getResult({ timeoutMs: 5000 })).rejects.toBeInstanceOf(DBOSAwaitedWorkflowCancelledError);
      await cl.resumeWorkflow(wf.workflowID);
      expect((await wf.getStatus())?.status).toBe('ENQUEUED');
      await h.sql(
        `INSERT INTO dbos.operation_outputs (workflow_uuid, function_id, function_name, output, serialization)
         VALUES ($1, 0, 's0', '"a"', 'portable_json'), ($1, 1, 's1', '"b"', 'portable_json'), ($1, 2, 's2', '"c"', 'portable_json')`,
        [wf.workflowID],
      );
      const fork = await cl.forkWorkflow(wf.workflowID, 2);
      expect(fork.workflowID).not.toBe(wf.workflowID);
      const steps = await cl.listWorkflowSteps(fork.workflowID);
      expect(steps?.map((s) => [s.functionID, s.name, s.output])).toEqual([
        [0, 's0', 'a'],
        [1, 's1', 'b'],
      ]);
      expect(await fork.getStatus()).toMatchObject({ status: 'ENQUEUED', forkedFrom: wf.workflowID, input: ['x'] });
      await expect(cl.cancelWorkflow(uid('missing'))).rejects.toBeInstanceOf(DBOSNonExistentWorkflowError);
      await expect(cl.forkWorkflow(uid('missing'), 0)).rejects.toBeInstanceOf(DBOSNonExistentWorkflowError);
    });

    it('lists steps with their outputs and errors', async () => {
      const cl = client();
      const id = await workflow();
      await h.sql(
        `INSERT INTO dbos.operation_outputs (workflow_uuid, function_id, function_name, output, error, child_workflow_id, serialization)
         VALUES ($1, 0, 'ok', '{"v":1}', NULL, NULL, 'portable_json'),
                ($1, 1, 'bad', NULL, '{"name":"StepError","message":"boom","code":"E1","data":null}', NULL, 'portable_json'),
                ($1, 2, 'child', NULL, NULL, 'kid-1', 'portable_json')`,
        [id],
      );
      const steps = await cl.listWorkflowSteps(id);
      expect(steps?.map((s) => [s.functionID, s.name, s.output, s.childWorkflowID])).toEqual([
        [0, 'ok', { v: 1 }, null],
        [1, 'bad', null, null],
        [2, 'child', null, 'kid-1'],
      ]);
      expect(steps?.[1]?.error).toBeInstanceOf(DBOSWorkflowError);
      expect(steps?.[1]?.error).toMatchObject({ name: 'StepError', message: 'boom', errorCode: 'E1' });
      expect(await cl.listWorkflowSteps(uid('missing'))).toBeUndefined();
    });

    it('waits for results a worker records: SUCCESS and ERROR', async () => {
      const cl = client();
      const ok = await cl.enqueue({ queueName: 'q', workflowName: 'w' });
      const bad = await cl.enqueue({ queueName: 'q', workflowName: 'w' });
      const okResult = ok.getResult({ timeoutMs: 10_000 });
      const badResult = bad.getResult({ timeoutMs: 10_000 }).catch((e) => e);
      await sleep(100);
      await finish(ok.workflowID, 'SUCCESS', '{"ok":true}');
      await finish(
        bad.workflowID,
        'ERROR',
        '{"name":"PaymentError","message":"declined","code":"E_PAY","data":{"card":"x"}}',
      );
      expect(await okResult).toEqual({ ok: true });
      const err = await badResult;
      expect(err).toBeInstanceOf(DBOSWorkflowError);
      expect(err).toMatchObject({ name: 'PaymentError', message: 'declined', errorCode: 'E_PAY', data: { card: 'x' } });
    });

    it('waitFirst returns the first to finish, and times out with the typed error', async () => {
      const cl = client();
      const [a, b] = [await workflow(), await workflow()];
      const first = cl.waitFirst([a, b], { timeoutMs: 10_000 });
      await sleep(100);
      await finish(b, 'SUCCESS', '1');
      expect((await first).workflowID).toBe(b);
      await expect(cl.waitFirst([a], { timeoutMs: 100 })).rejects.toBeInstanceOf(DBOSWaitTimeoutError);
    });

    it('sends and sendMany, once per idempotency key, all or nothing', async () => {
      const cl = client();
      const [a, b] = [await workflow(), await workflow()];
      await cl.send(a, { n: 1 }, 'topic', 'key-1');
      await cl.send(a, { n: 2 }, 'topic', 'key-1');
      await cl.sendMany([
        { destinationID: a, message: 3 },
        { destinationID: b, message: 4, topic: 't', idempotencyKey: 'key-2' },
      ]);
      await cl.sendMany([{ destinationID: b, message: 4, topic: 't', idempotencyKey: 'key-2' }]);
      const count = async () =>
        (
          await h.sql('SELECT count(*) AS n FROM dbos.notifications WHERE destination_uuid = ANY($1::text[])', [
            `{${a},${b}}`,
          ])
        )[0]?.n;
      expect(await count()).toBe(3);
      const [keyed] = await h.sql(`SELECT message, topic FROM dbos.notifications WHERE message_uuid = $1`, [
        `key-1::${a}`,
      ]);
      expect(keyed).toEqual({ message: '{"n":1}', topic: 'topic' });
      const err = await cl
        .sendMany([
          { destinationID: a, message: 'never stored' },
          { destinationID: uid('nobody'), message: 5 },
        ])
        .catch((e) => e);
      expect(err).toBeInstanceOf(DBOSNonExistentWorkflowError);
      expect(await count()).toBe(3);
    });

    it('getEvent waits for a value set later, and returns null at the timeout', async () => {
      const cl = client();
      const id = await workflow();
      const value = cl.getEvent(id, 'k', { timeoutMs: 10_000 });
      await sleep(200);
      await h.sql(
        `INSERT INTO dbos.workflow_events (workflow_uuid, key, value, serialization) VALUES ($1, 'k', $2, 'portable_json')`,
        [id, '{"v":[1,2]}'],
      );
      await h.sql('SELECT pg_notify($1, $2)', ['dbos_workflow_events_channel', `${id}::k`]);
      expect(await value).toEqual({ v: [1, 2] });
      expect(await cl.getEvent(id, 'missing', { timeoutMs: 50 })).toBeNull();
    });

    it(
      c.listens ? 'is woken by LISTEN, well before the next poll' : 'polls for events it cannot LISTEN for',
      async () => {
        // One poll every 20 s: only a notification can deliver the value within the assertion's time.
        const slow = { minIntervalMs: 20_000, maxIntervalMs: 20_000, listeningIntervalMs: 20_000 };
        const cl = client({ polling: c.listens ? slow : { minIntervalMs: 10, maxIntervalMs: 50 } });
        const id = await workflow();
        const started = Date.now();
        const value = cl.getEvent(id, 'wake', { timeoutMs: 15_000 });
        await sleep(500);
        await h.sql(
          `INSERT INTO dbos.workflow_events (workflow_uuid, key, value, serialization) VALUES ($1, 'wake', '"up"', 'portable_json')`,
          [id],
        );
        await h.sql('SELECT pg_notify($1, $2)', ['dbos_workflow_events_channel', `${id}::wake`]);
        expect(await value).toBe('up');
        expect(Date.now() - started).toBeLessThan(5_000);
      },
    );

    it('readStream yields values written later, up to the close marker', async () => {
      const cl = client();
      const id = await workflow();
      const write = async (offset: number, value: string) => {
        await h.sql(
          `INSERT INTO dbos.streams (workflow_uuid, key, value, "offset", serialization) VALUES ($1, 's', $2, $3, 'portable_json')`,
          [id, value, offset],
        );
        await h.sql('SELECT pg_notify($1, $2)', ['dbos_streams_channel', `${id}::s`]);
      };
      await write(0, '{"i":0}');
      const reading = collect(cl.readStream(id, 's', { timeoutMs: 10_000 }));
      await sleep(100);
      await write(1, '{"i":1}');
      await write(2, '"__DBOS_STREAM_CLOSED__"');
      expect(await reading).toEqual([{ i: 0 }, { i: 1 }]);
    });

    it('creates, ticks, backfills and pauses schedules, each tick once', async () => {
      const app = uid('sched');
      const cl = client({ applicationName: app, schedulerApp: { language: 'typescript', serializer: 'portable' } });
      const name = uid('every-10s');
      await cl.createSchedule({
        scheduleName: name,
        workflowName: 'job',
        schedule: '*/10 * * * * *',
        context: { n: 1 },
      });
      await cl.runScheduleTick({ now: '2026-06-01T00:00:00.000Z' }); // never fired: starts from now
      const [a, b] = await Promise.all([
        cl.runScheduleTick({ now: '2026-06-01T00:00:30.000Z' }),
        cl.runScheduleTick({ now: '2026-06-01T00:00:30.000Z' }),
      ]);
      const fired = [...(a.schedules[0]?.fired ?? []), ...(b.schedules[0]?.fired ?? [])].sort();
      expect(fired).toEqual(['10', '20', '30'].map((s) => `sched-${name}-2026-06-01T00:00:${s}.000Z`));
      expect((await cl.getSchedule(name))?.lastFiredAt).toBe('2026-06-01T00:00:30.000Z');
      const filled = await cl.backfillSchedule(
        name,
        new Date('2026-06-01T00:00:05Z'),
        new Date('2026-06-01T00:00:45Z'),
      );
      expect(filled.map((f) => f.workflowID.slice(-13, -5))).toEqual(['00:00:10', '00:00:20', '00:00:30', '00:00:40']);
      await cl.pauseSchedule(name);
      expect((await cl.runScheduleTick({ now: '2026-06-01T00:01:00.000Z' })).schedules).toEqual([]);
      expect(await cl.listWorkflows({ workflowIDPrefix: `sched-${name}-` })).toHaveLength(4);
    });

    it('enqueues many in one statement, pages by cursor and cancels by filter', async () => {
      const app = uid('many');
      const cl = client({ applicationName: app });
      const results = await cl.enqueueMany(
        Array.from({ length: 250 }, (_, i) => ({
          options: { queueName: 'q', workflowName: 'w', workflowID: `${app}-${i}` },
          args: [i],
        })),
      );
      expect(results.every((r) => r.ok)).toBe(true);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await cl.listWorkflowsPage({ workflowIDPrefix: app, limit: 60, cursor, loadInput: false });
        seen.push(...page.workflows.map((w) => w.workflowID));
        cursor = page.nextCursor;
      } while (cursor);
      expect(new Set(seen).size).toBe(250);
      const filter = { workflowIDPrefix: app };
      expect(await cl.cancelWorkflows({ filter }, { batchSize: 100 })).toEqual({ count: 250 });
      expect(await cl.cancelWorkflows({ filter })).toEqual({ count: 0 });
    });

    it('makes one round trip per operation (one HTTP request on Neon HTTP)', async () => {
      const counted = countingDriver(h.driver);
      const cl = new DBOSClient({ driver: counted });
      clients.push(cl);
      await cl.listWorkflows({ limit: 1 }); // connects and reads the schema's features
      const id = await workflow();
      const measure = async (op: () => Promise<unknown>) => {
        counted.calls.length = 0;
        const http = h.httpRequests?.();
        await op();
        if (h.httpRequests) expect(h.httpRequests() - (http ?? 0)).toBe(1);
        return counted.calls.length;
      };
      const wf = uid('rt');
      expect(await measure(() => cl.enqueue({ queueName: 'q', workflowName: 'w', workflowID: wf }, 1))).toBe(1);
      expect(await measure(() => cl.enqueueMany([{ options: { queueName: 'q', workflowName: 'w' } }]))).toBe(1);
      expect(await measure(() => cl.getWorkflow(wf))).toBe(1);
      expect(await measure(() => cl.listWorkflows({ workflowIDPrefix: wf }))).toBe(1);
      expect(await measure(() => cl.cancelWorkflow(wf))).toBe(1);
      expect(await measure(() => cl.resumeWorkflow(wf))).toBe(1);
      expect(await measure(() => cl.forkWorkflow(wf, 0))).toBe(1);
      expect(await measure(() => cl.listWorkflowSteps(wf))).toBe(1);
      expect(await measure(() => cl.send(id, 1))).toBe(1);
      expect(
        await measure(() =>
          cl.sendMany([
            { destinationID: id, message: 2 },
            { destinationID: id, message: 3 },
          ]),
        ),
      ).toBe(1);
    });
  });
});
