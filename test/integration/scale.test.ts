/** enqueueMany, keyset pages and bulk actions by filter, against a real Postgres with a DBOS schema. */
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresDriver } from '../../adapters/postgres.ts';
import {
  DBOSClient,
  DBOSConflictingWorkflowError,
  DBOSQueueDuplicatedError,
  ValidationError,
  type WorkflowStatus,
} from '../../src/index.ts';
import { countingDriver } from '../helpers/counting.ts';
import { createDbosDatabase } from '../helpers/pg.ts';

let db: Awaited<ReturnType<typeof createDbosDatabase>>;
let sql: postgres.Sql;
let client: DBOSClient;

beforeAll(async () => {
  db = await createDbosDatabase('edge_scale');
  sql = db.sql;
  client = new DBOSClient({ systemDatabaseUrl: db.url });
});

afterAll(async () => {
  await client?.destroy();
  await db?.drop();
});

const q = { queueName: 'scale', workflowName: 'w' };

describe('enqueueMany', () => {
  it('writes many in one statement and reports each item on its own', async () => {
    const driver = countingDriver(postgresDriver(db.url));
    const c = new DBOSClient({ driver });
    const taken = `taken-${crypto.randomUUID()}`;
    const taken2 = `taken2-${crypto.randomUUID()}`;
    const held = `held-${crypto.randomUUID()}`;
    await c.enqueue({ ...q, workflowID: taken });
    await c.enqueue({ ...q, workflowID: taken2 });
    await c.enqueue({ ...q, deduplicationID: held });
    const before = driver.calls.length;
    const results = await c.enqueueMany([
      ...Array.from({ length: 100 }, (_, i) => ({ options: q, args: [i] })),
      { options: { ...q, workflowID: taken } }, // the same workflow: its handle
      { options: { ...q, workflowName: 'other', workflowID: `${taken}-x` } },
      { options: { queueName: 'scale', workflowName: 'other', workflowID: taken2 } }, // conflicting
      { options: { ...q, deduplicationID: held } }, // deduplicated
      { options: { ...q, deduplicationID: held, duplicationPolicy: 'return-existing' } },
    ]);
    expect(driver.calls.length - before).toBe(1);
    expect(results.slice(0, 102).every((r) => r.ok)).toBe(true);
    expect(results[100]).toMatchObject({ ok: true, handle: { workflowID: taken } });
    expect(results[102]).toMatchObject({ ok: false });
    expect(results[102]?.ok === false && results[102].error).toBeInstanceOf(DBOSConflictingWorkflowError);
    expect(results[103]?.ok === false && results[103].error).toBeInstanceOf(DBOSQueueDuplicatedError);
    expect(results[104]?.ok).toBe(true);
    const handles = results.slice(0, 100).map((r) => (r.ok ? r.handle : undefined));
    expect((await handles[42]?.getStatus())?.input).toEqual([42]);
    await c.destroy();
    await driver.close();
  });

  it('gives a repeated deduplication ID within the call to the first, and the typed error to the rest', async () => {
    const dedup = `d-${crypto.randomUUID()}`;
    const results = await client.enqueueMany([
      { options: { ...q, deduplicationID: dedup } },
      { options: { ...q, deduplicationID: dedup } },
      { options: { ...q, deduplicationID: dedup } },
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, false, false]);
    const [row] =
      (await sql`SELECT count(*)::int AS n FROM dbos.workflow_status WHERE deduplication_id = ${dedup}`) as unknown as [
        { n: number },
      ];
    expect(row.n).toBe(1);
  });

  it('refuses bad items before any SQL, naming the item, and writes nothing', async () => {
    const driver = countingDriver(postgresDriver(db.url));
    const c = new DBOSClient({ driver });
    const err = await c
      .enqueueMany([{ options: q }, { options: { ...q, priority: -1 } }, { options: q, args: [Symbol('x')] }])
      .catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.issues.map((i: { field: string }) => i.field)).toEqual(['items[1].options.priority']);
    const dup = await c
      .enqueueMany([{ options: { ...q, workflowID: 'same' } }, { options: { ...q, workflowID: 'same' } }])
      .catch((e) => e);
    expect(dup.issues[0]).toMatchObject({ field: 'items[1].options.workflowID', rule: 'unique' });
    await expect(c.enqueueMany([])).rejects.toBeInstanceOf(ValidationError);
    expect(driver.calls).toEqual([]);
    await c.destroy();
    await driver.close();
  });
});

describe('listWorkflowsPage', () => {
  it('never skips or repeats a row while rows are inserted, with many equal created_at', async () => {
    const app = `pages-${crypto.randomUUID().slice(0, 8)}`;
    // 600 rows over only 20 distinct timestamps: ties must be broken by ID.
    await sql`INSERT INTO dbos.workflow_status (workflow_uuid, status, name, queue_name, created_at, updated_at, application_name)
      SELECT ${app} || '-' || lpad(i::text, 4, '0'), 'SUCCESS', 'w', 'scale', 1000 + (i % 20), 0, ${app}
      FROM generate_series(1, 600) i`;
    const c = new DBOSClient({ systemDatabaseUrl: db.url, applicationName: app });
    for (const sortDesc of [false, true]) {
      const seen: string[] = [];
      let cursor: string | undefined;
      let inserted = 0;
      do {
        const page = await c.listWorkflowsPage({
          workflowIDPrefix: app,
          limit: 37,
          cursor,
          sortDesc,
          loadInput: false,
          loadOutput: false,
        });
        seen.push(...page.workflows.map((w: WorkflowStatus) => w.workflowID));
        cursor = page.nextCursor;
        // New rows arrive between pages (newer than all, and some at an already passed time).
        await sql`INSERT INTO dbos.workflow_status (workflow_uuid, status, name, created_at, updated_at, application_name)
          VALUES (${`${app}-new-${sortDesc}-${inserted++}`}, 'SUCCESS', 'w', 1005, 0, ${app})`;
      } while (cursor);
      expect(new Set(seen).size).toBe(seen.length);
      const original = Array.from({ length: 600 }, (_, i) => `${app}-${String(i + 1).padStart(4, '0')}`);
      expect(seen.filter((id) => !id.includes('-new-')).sort()).toEqual(original.sort());
    }
    const bad = await c.listWorkflowsPage({ cursor: 'not-a-cursor' }).catch((e) => e);
    expect(bad.issues[0]).toMatchObject({ field: 'input.cursor', rule: 'cursor' });
    await expect(c.listWorkflowsPage({ offset: 5 })).rejects.toBeInstanceOf(ValidationError);
    await c.destroy();
  });
});

describe('pages of queued workflows (the walk over idx_workflow_status_in_flight_v2)', () => {
  /** In page order: by time, then by ID among equal times. */
  const byTime = (a: WorkflowStatus, b: WorkflowStatus) =>
    a.createdAt - b.createdAt || (a.workflowID < b.workflowID ? -1 : a.workflowID > b.workflowID ? 1 : 0);

  async function pages(c: DBOSClient, input: Record<string, unknown>, queued: boolean) {
    const seen: WorkflowStatus[] = [];
    let cursor: string | undefined;
    do {
      const page = await (queued ? c.listQueuedWorkflowsPage : c.listWorkflowsPage).call(c, {
        ...input,
        limit: 23,
        cursor,
        loadInput: false,
      });
      seen.push(...page.workflows);
      cursor = page.nextCursor;
      // Only the last page may be short: a page cut early would still concatenate to the right list.
      if (cursor) expect(page.workflows).toHaveLength(23);
    } while (cursor);
    return seen;
  }

  it('returns by cursor and by offset exactly what the whole listing holds, across queues, statuses and priorities', async () => {
    const app = `walk-${crypto.randomUUID().slice(0, 8)}`;
    const statuses = ['ENQUEUED', 'PENDING', 'DELAYED', 'SUCCESS', 'CANCELLED'];
    // 900 rows: three queues (and no queue), five statuses, mostly priority 0 (one in ten 1-4, so one group
    // dominates a page), 30 distinct times (so many ties).
    await sql`INSERT INTO dbos.workflow_status (workflow_uuid, status, name, queue_name, priority, created_at, updated_at,
        application_name)
      SELECT ${app} || '-' || lpad(i::text, 4, '0'), (${statuses}::text[])[1 + i % 5], 'w',
        CASE WHEN i % 7 = 0 THEN NULL ELSE ${app} || '-q' || i % 3 END, CASE WHEN (i / 5) % 10 = 0 THEN 1 + (i / 50) % 4 ELSE 0 END, 5000 + (i * 7919) % 30, 0, ${app}
      FROM generate_series(1, 900) i`;
    const c = new DBOSClient({ systemDatabaseUrl: db.url, applicationName: app });
    const [q0, q1] = [`${app}-q0`, `${app}-q1`];
    const shapes: { input: Record<string, unknown>; queued: boolean }[] = [
      { input: {}, queued: true },
      { input: { queueName: q0 }, queued: true },
      { input: { queueName: [q0, q1], status: ['ENQUEUED', 'DELAYED'] }, queued: true },
      { input: { queueName: q1, status: 'PENDING', workflowName: 'w' }, queued: false },
      {
        input: { queueName: q0, status: ['ENQUEUED', 'PENDING', 'DELAYED'], startTime: new Date(5010) },
        queued: false,
      },
    ];
    for (const { input, queued } of shapes) {
      for (const sortDesc of [false, true]) {
        const what = JSON.stringify({ ...input, queued, sortDesc });
        const list = queued ? c.listQueuedWorkflows.bind(c) : c.listWorkflows.bind(c);
        // Without a limit the listing is one plain scan: the reference.
        const whole = (await list({ ...input, sortDesc, loadInput: false })).sort(byTime);
        if (sortDesc) whole.reverse();
        expect(whole.length, what).toBeGreaterThan(20);
        const paged = await pages(c, { ...input, sortDesc }, queued);
        expect(
          paged.map((w) => w.workflowID),
          what,
        ).toEqual(whole.map((w) => w.workflowID));
        // Offset pages (ordered by time only) hold the same times as the same slice of the whole.
        for (const offset of [0, 17, whole.length - 5]) {
          const page = await list({ ...input, sortDesc, limit: 10, offset, loadInput: false });
          const times = whole.slice(offset, offset + 10).map((w) => w.createdAt);
          expect(
            page.map((w) => w.createdAt),
            `${what} offset ${offset}`,
          ).toEqual(times);
        }
      }
    }
    await c.destroy();
  });

  it('takes a whole page from one group when it alone holds the page', async () => {
    const app = `walk-one-${crypto.randomUUID().slice(0, 8)}`;
    await sql`INSERT INTO dbos.workflow_status (workflow_uuid, status, name, queue_name, priority, created_at, updated_at,
        application_name)
      SELECT ${app} || '-' || lpad(i::text, 4, '0'), 'ENQUEUED', 'w', ${app}, 0, 7000 + i, 0, ${app}
      FROM generate_series(1, 100) i`;
    const c = new DBOSClient({ systemDatabaseUrl: db.url, applicationName: app });
    const ids = (await pages(c, { queueName: app }, true)).map((w) => w.workflowID);
    expect(ids).toEqual(Array.from({ length: 100 }, (_, i) => `${app}-${String(i + 1).padStart(4, '0')}`));
    await c.destroy();
  });

  it('still pages exactly past 64 (queue, status, priority) groups, where a plain scan takes over', async () => {
    const app = `walk-many-${crypto.randomUUID().slice(0, 8)}`;
    await sql`INSERT INTO dbos.workflow_status (workflow_uuid, status, name, queue_name, priority, created_at, updated_at,
        application_name)
      SELECT ${app} || '-' || lpad(i::text, 4, '0'), 'ENQUEUED', 'w', ${app}, i % 70, 9000 + i % 11, 0, ${app}
      FROM generate_series(1, 300) i`;
    const c = new DBOSClient({ systemDatabaseUrl: db.url, applicationName: app });
    const whole = (await c.listQueuedWorkflows({ queueName: app, loadInput: false })).sort(byTime);
    expect(whole).toHaveLength(300);
    const paged = await pages(c, { queueName: app }, true);
    expect(paged.map((w) => w.workflowID)).toEqual(whole.map((w) => w.workflowID));
    await c.destroy();
  });
});

describe('bulk actions by filter', () => {
  it('cancels, resumes and deletes every match in batches, and is safe to re-run', async () => {
    const app = `bulk-${crypto.randomUUID().slice(0, 8)}`;
    const c = new DBOSClient({ systemDatabaseUrl: db.url, applicationName: app });
    for (let i = 0; i < 3; i++) {
      await c.enqueueMany(
        Array.from({ length: 1000 }, (_, j) => ({ options: { ...q, workflowName: j % 2 ? 'odd' : 'even' } })),
      );
    }
    const progress: number[] = [];
    const cancelled = await c.cancelWorkflows(
      { filter: { workflowName: 'odd' } },
      { batchSize: 400, onProgress: (p) => progress.push(p.done) },
    );
    expect(cancelled).toEqual({ count: 1500 });
    expect(progress).toEqual([400, 800, 1200, 1500]);
    expect(await c.cancelWorkflows({ filter: { workflowName: 'odd' } })).toEqual({ count: 0 });
    const status = async () =>
      Object.fromEntries(
        (
          await sql`SELECT name || ':' || status AS k, count(*)::int AS n FROM dbos.workflow_status
                    WHERE application_name = ${app} GROUP BY 1`
        ).map((r) => [r.k, r.n]),
      );
    expect(await status()).toEqual({ 'odd:CANCELLED': 1500, 'even:ENQUEUED': 1500 });

    expect(await c.resumeWorkflows({ filter: { workflowName: 'odd' } }, { queueName: 'again' })).toEqual({
      count: 1500,
    });
    expect(await status()).toEqual({ 'odd:ENQUEUED': 1500, 'even:ENQUEUED': 1500 });
    const [again] = await c.listWorkflows({ workflowName: 'odd', limit: 1 });
    expect(again?.queueName).toBe('again');

    // Delete takes finished workflows only, with their steps and payloads.
    await c.cancelWorkflows({ filter: { workflowName: 'even' } });
    const [victim] = await c.listWorkflows({ workflowName: 'even', limit: 1 });
    // A step and a payload row, as a DBOS 5.3 worker leaves them.
    await sql`INSERT INTO dbos.operation_outputs (workflow_uuid, function_id, function_name, output)
              VALUES (${victim?.workflowID as string}, 0, 's', '1')`;
    await sql`INSERT INTO dbos.workflow_input (workflow_uuid, inputs) VALUES (${victim?.workflowID as string}, '[]')`;
    expect(await c.deleteWorkflows({ filter: { workflowName: ['even', 'odd'] } }, { batchSize: 700 })).toEqual({
      count: 1500,
    });
    expect(await status()).toEqual({ 'odd:ENQUEUED': 1500 });
    const [left] = (await sql`SELECT
        (SELECT count(*) FROM dbos.operation_outputs WHERE workflow_uuid = ${victim?.workflowID as string})::int AS steps,
        (SELECT count(*) FROM dbos.workflow_input WHERE workflow_uuid = ${victim?.workflowID as string})::int AS inputs`) as unknown as [
      { steps: number; inputs: number },
    ];
    expect(left).toEqual({ steps: 0, inputs: 0 });
    const bad = await c.deleteWorkflows({ filter: { limit: 5 } }).catch((e) => e);
    expect(bad).toBeInstanceOf(ValidationError);
    await c.destroy();
  });
});
