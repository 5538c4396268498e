/**
 * The `dbos-edge` CLI against real Postgres: every command, tables and --json, directly on the database (--url) and
 * over a running HTTP service (--service, --token) on a random port. Workflows, steps, events and streams are rows
 * as a DBOS worker leaves them.
 */
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { type ServerType, serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../cli/main.ts';
import { createApp } from '../../src/http/index.ts';
import { DBOSClient } from '../../src/index.ts';
import { createDbosDatabase, PG_BASE_URL } from '../helpers/pg.ts';

const FULL = 'cli-full-token-0123456789';
const READ = 'cli-read-token-0123456789';

let db: Awaited<ReturnType<typeof createDbosDatabase>>;
let client: DBOSClient;
let server: ServerType;
let serviceUrl: string;

beforeAll(async () => {
  db = await createDbosDatabase('cli');
  client = new DBOSClient({ systemDatabaseUrl: db.url, polling: { minIntervalMs: 5, maxIntervalMs: 50 } });
  const app = createApp({
    client,
    logger: false,
    tokens: [
      { token: FULL, scope: 'full' },
      { token: READ, scope: 'read' },
    ],
  });
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  serviceUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await client.destroy();
  await db.drop();
});

interface Ran {
  code: number;
  out: string;
  err: string;
}

async function cli(argv: string[], connection: string[], options: { tty?: boolean } = {}): Promise<Ran> {
  let out = '';
  let err = '';
  const code = await run([...argv, ...connection], {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t), isTTY: options.tty ?? false },
    env: {},
  });
  return { code, out, err };
}

const json = (r: Ran) => JSON.parse(r.out) as Record<string, unknown>;

/** A workflow row as a worker leaves it. */
async function workflow(
  prefix: string,
  status: string,
  extra: { output?: string; error?: string; queue?: string } = {},
) {
  const id = `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
  await db.sql`INSERT INTO dbos.workflow_status (workflow_uuid, status, name, queue_name, inputs, output, error, serialization, created_at, updated_at)
    VALUES (${id}, ${status}, 'checkout', ${extra.queue ?? null}, '{"positionalArgs":[{"sku":"a-1"}],"namedArgs":{"coupon":"SPRING"}}', ${extra.output ?? null}, ${extra.error ?? null}, 'portable_json', ${Date.now()}, ${Date.now()})`;
  return id;
}

const MODES = [
  ['direct', () => ['--url', db.url]],
  ['service', () => ['--service', serviceUrl, '--token', FULL]],
] as const;

describe.each(MODES)('%s', (mode, connection) => {
  const c = (argv: string[], options?: { tty?: boolean }) => cli(argv, connection(), options);
  const p = `${mode}`;

  it('workflow list: a table, --json, filters and cursor pages', async () => {
    const a = await workflow(`${p}-list`, 'SUCCESS', { output: '1' });
    const b = await workflow(`${p}-list`, 'ERROR', { error: '{"name":"Error","message":"boom"}' });
    const table = await c(['workflow', 'list', '--prefix', `${p}-list`]);
    expect(table.code).toBe(0);
    expect(table.out.split('\n')[0]).toMatch(/^WORKFLOW ID\s+STATUS\s+NAME\s+QUEUE\s+CREATED$/);
    expect(table.out).toContain(a);
    expect(table.out).toMatch(new RegExp(`${b}\\s+ERROR\\s+checkout`));
    const errors = json(await c(['workflow', 'list', '--prefix', `${p}-list`, '--status', 'ERROR', '--json']));
    expect((errors.workflows as { workflowID: string }[]).map((w) => w.workflowID)).toEqual([b]);
    const first = await c(['workflow', 'list', '--prefix', `${p}-list`, '--limit', '1']);
    const cursor = /next page: --cursor (\S+)/.exec(first.out)?.[1];
    expect(cursor).toBeDefined();
    const second = json(
      await c(['workflow', 'list', '--prefix', `${p}-list`, '--limit', '1', '--cursor', cursor as string, '--json']),
    );
    expect((second.workflows as { workflowID: string }[]).map((w) => w.workflowID)).toEqual([b]);
    expect(second.nextCursor).toBeNull();
  });

  it('workflow get and steps: fields, input and output, step durations; 3 for an unknown workflow', async () => {
    const id = await workflow(`${p}-get`, 'SUCCESS', { output: '{"total":42}' });
    await db.sql`INSERT INTO dbos.operation_outputs (workflow_uuid, function_id, function_name, output, serialization, started_at_epoch_ms, completed_at_epoch_ms)
      VALUES (${id}, 0, 'reserve', '"ok"', 'portable_json', 1000, 1250), (${id}, 1, 'charge', '7', 'portable_json', 1250, 3750)`;
    const got = await c(['workflow', 'get', id]);
    expect(got.code).toBe(0);
    expect(got.out).toMatch(new RegExp(`workflow:\\s+${id}`));
    expect(got.out).toContain('"sku": "a-1"');
    expect(got.out).toMatch(/named arguments:\n\{\n {2}"coupon": "SPRING"\n\}/);
    expect(got.out).toContain('"total": 42');
    expect(json(await c(['workflow', 'get', id, '--json']))).toMatchObject({
      input: [{ sku: 'a-1' }],
      namedArgs: { coupon: 'SPRING' },
      output: { total: 42 },
    });
    const steps = await c(['workflow', 'steps', id]);
    expect(steps.out).toMatch(/^STEP\s+NAME\s+OUTCOME\s+DURATION/);
    expect(steps.out).toMatch(/0\s+reserve\s+ok\s+250ms/);
    expect(steps.out).toMatch(/1\s+charge\s+7\s+2\.50s/);
    const stepsJson = json(await c(['workflow', 'steps', id, '--json']));
    expect((stepsJson.steps as { name: string }[]).map((s) => s.name)).toEqual(['reserve', 'charge']);
    const missing = await c(['workflow', 'get', 'no-such-workflow']);
    expect(missing.code).toBe(3);
    expect(missing.err).toBe('dbos-edge: workflow get: Workflow not found: Workflow no-such-workflow does not exist\n');
  });

  it('workflow result: 0 with the output, 1 with the error, 6 when not finished', async () => {
    const ok = await workflow(`${p}-res`, 'SUCCESS', { output: '"done"' });
    const failed = await workflow(`${p}-res`, 'ERROR', { error: '{"name":"Error","message":"boom"}' });
    const pending = await workflow(`${p}-res`, 'PENDING');
    expect(await c(['workflow', 'result', ok])).toMatchObject({ code: 0, out: '"done"\n' });
    const err = await c(['workflow', 'result', failed]);
    expect(err).toMatchObject({ code: 1, out: 'ERROR: Error: boom\n' });
    expect(json(await c(['workflow', 'result', failed, '--json'])).error).toMatchObject({ message: 'boom' });
    const waiting = await c(['workflow', 'result', pending, '--timeout', '50']);
    expect(waiting.code).toBe(6);
    expect(waiting.out).toContain('not finished');
  });

  it('workflow cancel, resume, fork and delete', async () => {
    const id = await workflow(`${p}-act`, 'PENDING', { queue: 'q' });
    expect(await c(['workflow', 'cancel', id])).toMatchObject({ code: 0, out: `cancelled ${id}\n` });
    expect(json(await c(['workflow', 'get', id, '--json'])).status).toBe('CANCELLED');
    expect(json(await c(['workflow', 'resume', id, '--json']))).toEqual({ workflowID: id });
    expect(json(await c(['workflow', 'get', id, '--json'])).status).toBe('ENQUEUED');
    const forked = json(await c(['workflow', 'fork', id, '--step', '1', '--forked-workflow-id', `${id}-f`, '--json']));
    expect(forked).toEqual({ workflowID: `${id}-f` });
    expect(json(await c(['workflow', 'get', `${id}-f`, '--json'])).forkedFrom).toBe(id);
    const refused = await c(['workflow', 'delete', id]);
    expect(refused.code).toBe(5);
    expect(refused.err).toContain('cancel it before deleting');
    await c(['workflow', 'cancel', id]);
    expect(await c(['workflow', 'delete', id])).toMatchObject({ code: 0, out: `deleted ${id}\n` });
    expect((await c(['workflow', 'get', id])).code).toBe(3);
  });

  it('workflow queue list: unfinished workflows on queues', async () => {
    const queued = await workflow(`${p}-q`, 'ENQUEUED', { queue: `${p}-orders` });
    await workflow(`${p}-q`, 'SUCCESS', { queue: `${p}-orders` });
    const listed = await c(['workflow', 'queue', 'list', '--queue', `${p}-orders`]);
    expect(listed.code).toBe(0);
    expect(listed.out.trim().split('\n')).toHaveLength(2);
    expect(listed.out).toMatch(new RegExp(`${queued}\\s+ENQUEUED\\s+checkout\\s+${p}-orders`));
    const asJson = json(await c(['workflow', 'queue', 'list', '--queue', `${p}-orders`, '--json']));
    expect((asJson.workflows as { workflowID: string }[]).map((w) => w.workflowID)).toEqual([queued]);
  });

  it('queue register, list, get, update and delete (the queues table)', async () => {
    const name = `${p}-limited`;
    const registered = await c([
      'queue',
      'register',
      name,
      '--concurrency',
      '10',
      '--worker-concurrency',
      '2',
      '--rate',
      '50/60',
    ]);
    expect(registered.code).toBe(0);
    expect(registered.out).toMatch(new RegExp(`${name}\\s+10\\s+2\\s+50/60s`));
    const listed = await c(['queue', 'list', '--json']);
    expect(listed.code).toBe(0);
    expect((json(listed).queues as { name: string }[]).map((q) => q.name)).toContain(name);
    expect(json(await c(['queue', 'get', name, '--json']))).toMatchObject({
      name,
      concurrency: 10,
      workerConcurrency: 2,
      rateLimit: { limitPerPeriod: 50, periodSec: 60 },
    });
    const kept = json(await c(['queue', 'register', name, '--concurrency', '99', '--keep', '--json']));
    expect(kept.concurrency).toBe(10);
    const updated = json(await c(['queue', 'update', name, '--concurrency', '20', '--rate', 'none', '--json']));
    expect(updated).toMatchObject({ concurrency: 20, workerConcurrency: 2 });
    expect(updated.rateLimit).toBeUndefined();
    expect((await c(['queue', 'register', name, '--rate', 'often'])).code).toBe(2);
    expect(await c(['queue', 'delete', name])).toMatchObject({ code: 0, out: `deleted ${name}\n` });
    expect((await c(['queue', 'get', name])).code).toBe(3);
  });

  it('schedule create, list, get, pause, resume, trigger, backfill and delete', async () => {
    const name = `${p}-nightly`;
    const created = await c([
      'schedule',
      'create',
      name,
      '--workflow',
      'report',
      '--cron',
      '0 0 * * *',
      '--serialization',
      'portable',
    ]);
    expect(created).toMatchObject({ code: 0, out: `created ${name}\n` });
    const list = await c(['schedule', 'list', '--prefix', name]);
    expect(list.out).toMatch(new RegExp(`${name}\\s+ACTIVE\\s+report\\s+0 0 \\* \\* \\*`));
    expect(json(await c(['schedule', 'get', name, '--json'])).workflowName).toBe('report');
    expect((await c(['schedule', 'pause', name])).out).toBe(`${name}: PAUSED\n`);
    expect(json(await c(['schedule', 'resume', name, '--json'])).status).toBe('ACTIVE');
    const triggered = json(await c(['schedule', 'trigger', name, '--json']));
    expect(json(await c(['workflow', 'get', triggered.workflowID as string, '--json'])).workflowName).toBe('report');
    const backfill = await c([
      'schedule',
      'backfill',
      name,
      '--start',
      '2026-01-01T12:00:00Z',
      '--end',
      '2026-01-04T12:00:00Z',
    ]);
    expect(backfill.out.split('\n')[0]).toBe(`backfilled ${name}: 3 run(s)`);
    expect(await c(['schedule', 'delete', name])).toMatchObject({ code: 0 });
    expect((await c(['schedule', 'get', name])).code).toBe(3);
    const bad = await c(['schedule', 'create', `${name}-x`, '--workflow', 'report', '--cron', 'not cron']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('schedule');
    expect((await c(['schedule', 'create', `${name}-y`, '--cron', '* * * * *'])).code).toBe(2);
  });

  it('send, event get and stream tail', async () => {
    const id = await workflow(`${p}-msg`, 'PENDING');
    expect(await c(['send', id, '{"approved":true}', '--topic', 'decision'])).toMatchObject({ code: 0 });
    const [note] = await db.sql`SELECT topic, message FROM dbos.notifications WHERE destination_uuid = ${id}`;
    expect(note?.topic).toBe('decision');
    expect(JSON.parse(String(note?.message))).toEqual({ approved: true });
    expect((await c(['event', 'get', id, 'progress'])).code).toBe(6);
    await db.sql`INSERT INTO dbos.workflow_events (workflow_uuid, key, value, serialization) VALUES (${id}, 'progress', '{"pct":50}', 'portable_json')`;
    expect(json(await c(['event', 'get', id, 'progress', '--json'])).value).toEqual({ pct: 50 });
    await db.sql`INSERT INTO dbos.streams (workflow_uuid, key, value, "offset", serialization) VALUES
      (${id}, 'log', '"one"', 0, 'portable_json'), (${id}, 'log', '{"n":2}', 1, 'portable_json')`;
    const tailing = c(['stream', 'tail', id, 'log']);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await db.sql`INSERT INTO dbos.streams (workflow_uuid, key, value, "offset", serialization) VALUES
      (${id}, 'log', '"three"', 2, 'portable_json'), (${id}, 'log', '"__DBOS_STREAM_CLOSED__"', 3, 'portable_json')`;
    expect(await tailing).toMatchObject({
      code: 0,
      out: '0\tone\n1\t{"n":2}\n2\tthree\n(end of stream, 3 value(s))\n',
    });
    const fromOffset = await c(['stream', 'tail', id, 'log', '--offset', '2', '--json']);
    expect(fromOffset.out).toBe('{"offset":2,"value":"three"}\n');
  });

  it('tick fires due schedules', async () => {
    await c([
      'schedule',
      'create',
      `${p}-minutely`,
      '--workflow',
      'poll',
      '--cron',
      '* * * * *',
      '--serialization',
      'portable',
    ]);
    // The first tick records where the schedule starts; the one two minutes later fires what came due.
    await c(['tick']);
    const now = new Date(Date.now() + 120_000).toISOString();
    const tick = json(await c(['tick', '--now', now, '--json']));
    expect(tick.fired as number).toBeGreaterThan(0);
    const text = await c(['tick', '--now', now]);
    expect(text.out).toMatch(/^tick at .*: 0 fired, 0 error\(s\)/);
    await c(['schedule', 'delete', `${p}-minutely`]);
  });

  it('bulk cancel, resume and delete by filter, with progress lines or a bar', async () => {
    const name = `bulk_${mode}`;
    for (let i = 0; i < 5; i++) {
      await db.sql`INSERT INTO dbos.workflow_status (workflow_uuid, status, name, serialization, created_at, updated_at)
        VALUES (${`${p}-bulk-${i}`}, 'PENDING', ${name}, 'portable_json', ${Date.now()}, ${Date.now()})`;
    }
    const cancel = await c(['bulk', 'cancel', '--name', name, '--batch-size', '2']);
    expect(cancel.code).toBe(0);
    expect(cancel.err).toBe('bulk cancel: 2 done\nbulk cancel: 4 done\nbulk cancel: 5 done\nbulk cancel: 5 done\n');
    expect(cancel.out).toBe('cancel: 5 workflow(s)\n');
    const resume = await c(['bulk', 'resume', '--name', name, '--json'], { tty: true });
    expect(json(resume)).toEqual({ action: 'resume', count: 5 });
    expect(resume.err).toContain('bulk resume [');
    await c(['bulk', 'cancel', '--name', name]);
    expect(json(await c(['bulk', 'delete', '--name', name, '--json'])).count).toBe(5);
    expect(json(await c(['workflow', 'list', '--name', name, '--json'])).workflows).toEqual([]);
    const unfiltered = await c(['bulk', 'delete']);
    expect(unfiltered.code).toBe(2);
    expect(unfiltered.err).toContain('give a filter');
    expect((await c(['bulk', 'cancel', '--status', 'NOPE'])).code).toBe(2);
  });

  it('usage errors name the problem and exit 2', async () => {
    expect(await c(['workflow', 'lst'])).toMatchObject({
      code: 2,
      err: 'dbos-edge: unknown command: workflow lst (see --help)\n',
    });
    expect(await c(['workflow', 'get'])).toMatchObject({
      code: 2,
      err: 'dbos-edge: workflow get: expects <workflow-id>, got 0\n',
    });
    expect((await c(['workflow', 'list', '--bogus'])).err).toBe("dbos-edge: workflow list: Unknown option '--bogus'\n");
    expect((await c(['workflow', 'list', '--limit', 'ten'])).err).toContain('--limit: must be a whole number');
    const help = await c(['bulk', 'resume', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('--status <value> …');
    expect(help.out).toContain('--to-queue <value>');
  });
});

describe('auth and connection', () => {
  it('a read token lists but may not write (4); a wrong token is refused (4)', async () => {
    const read = ['--service', serviceUrl, '--token', READ];
    expect((await cli(['workflow', 'list'], read)).code).toBe(0);
    const denied = await cli(['schedule', 'create', 'x', '--workflow', 'w', '--cron', '* * * * *'], read);
    expect(denied.code).toBe(4);
    expect(denied.err).toContain('Insufficient scope');
    expect((await cli(['bulk', 'cancel', '--all'], read)).code).toBe(4);
    expect((await cli(['workflow', 'delete', 'x'], read)).code).toBe(4);
    const wrong = await cli(['workflow', 'list'], ['--service', serviceUrl, '--token', 'wrong-token-0123456789']);
    expect(wrong).toMatchObject({ code: 4 });
    expect(wrong.err).toContain('Invalid token');
  });

  it('no connection is a usage error; an unreachable service a failure', async () => {
    expect(await cli(['workflow', 'list'], [])).toMatchObject({
      code: 2,
      err: 'dbos-edge: workflow list: no connection: set DBOS_SYSTEM_DATABASE_URL or pass --url, or --service URL --token TOKEN\n',
    });
    const down = await cli(['workflow', 'list'], ['--service', 'http://127.0.0.1:9', '--token', FULL]);
    expect(down.code).toBe(1);
    expect(down.err).toContain('cannot reach http://127.0.0.1:9');
  });

  it('direct mode names what is wrong with the database in one line', async () => {
    const refused = await cli(['workflow', 'list'], ['--url', 'postgres://postgres@127.0.0.1:9/none']);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/^dbos-edge: workflow list: System database unavailable: .*ECONNREFUSED.*\n$/);
    const noSchema = await cli(['workflow', 'list'], ['--url', PG_BASE_URL.concat('/postgres')]);
    expect(noSchema.code).toBe(1);
    expect(noSchema.err).toContain('No DBOS system schema "dbos" in this database');
    const badUrl = await cli(['workflow', 'list'], ['--url', 'mysql://x']);
    expect(badUrl.code).toBe(2);
    expect(badUrl.err).toContain('systemDatabaseUrl: must be a postgres://');
  });

  it('the dbos-edge bin exits with the command code', async () => {
    const entry = new URL('../../cli/dbos-edge.ts', import.meta.url).pathname;
    const env = { ...process.env, DBOS_SYSTEM_DATABASE_URL: db.url };
    const bin = (args: string[], options: { env: NodeJS.ProcessEnv }) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', entry, ...args], options);
    const help = await bin(['--help'], { env });
    expect(help.stdout).toContain('bulk cancel');
    expect(help.stdout).toContain('exit codes: 0 ok');
    const missing = await bin(['workflow', 'get', 'nope'], { env }).catch((e: { code: number; stderr: string }) => e);
    expect(missing).toMatchObject({
      code: 3,
      stderr: 'dbos-edge: workflow get: Workflow not found: Workflow nope does not exist\n',
    });
  });
});
