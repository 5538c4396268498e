/**
 * The Cloudflare Worker for real: `wrangler deploy --dry-run` bundles worker/cloudflare.ts with wrangler.toml, and
 * Miniflare runs that bundle in workerd on postgres.js over `cloudflare:sockets`; the same build with Neon's driver
 * built in (wrangler.toml's two Neon alias lines deleted) runs on the Neon HTTP driver, through the local Neon-compatible
 * endpoint. A real DBOS worker executes what the Worker enqueues.
 *
 * This file runs its own database and DBOS worker (app `edge-cf`), not the shared interop one: a schedule tick
 * fires every due schedule of its app, and the other files' schedule tests must not see ticks they did not run.
 */
import { readFile } from 'node:fs/promises';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signStandardWebhook } from '../../src/http/index.ts';
import { type NeonHttpEndpoint, startNeonHttpEndpoint } from '../fixtures/neon-http-endpoint.ts';
import { buildVariant, buildWorker, type RunningWorker, runWorker, type WorkerBundle } from '../fixtures/workerd.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/pg.ts';
import { type RunningWorker as DbosWorker, startWorker, waitUntil } from './worker/harness.ts';

const APP = 'edge-cf';
const FULL = 'full-token-for-the-worker-0001';
const READ = 'read-token-for-the-worker-0002';
const WHSEC = `whsec_${btoa('a webhook secret for the cf worker')}`;
const auth = (token = FULL) => ({ authorization: `Bearer ${token}` });
const json = (body: unknown, token = FULL) => ({
  method: 'POST',
  headers: { ...auth(token), 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const uid = (label: string) => `${label}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

let db: TestDatabase;
let dbos: DbosWorker;
let bundle: WorkerBundle;
let neonBundle: WorkerBundle;
let endpoint: NeonHttpEndpoint;
let sql: postgres.Sql;

beforeAll(async () => {
  db = await createTestDatabase('edge_cf');
  // The DBOS worker makes the schema (it migrates on launch); the bundle builds meanwhile.
  [dbos, bundle, neonBundle, endpoint] = await Promise.all([
    startWorker({ databaseUrl: db.url, appName: APP, appVersion: 'v1' }),
    buildWorker(),
    buildVariant({ dropAlias: ['../adapters/neon-http.ts', '../adapters/neon-ws.ts'] }),
    startNeonHttpEndpoint(),
  ]);
  sql = postgres(db.url, { max: 1, onnotice: () => {}, connection: { application_name: 'edge-cf-test' } });
});

afterAll(async () => {
  await sql?.end();
  await dbos?.stop();
  await endpoint?.close();
  await bundle?.remove();
  await neonBundle?.remove();
  await db?.drop();
});

describe('the bundle', () => {
  it('is built by wrangler deploy --dry-run, well under the 3 MiB compressed limit', () => {
    expect(bundle.wranglerOutput).toMatch(/Total Upload: [\d.]+ KiB \/ gzip: [\d.]+ KiB/);
    expect(bundle.compatibilityFlags).toContain('nodejs_compat');
    expect(bundle.gzipBytes).toBeLessThan(1024 * 1024);
  });

  it('leaves out the DBOS schema DDL, which only an embedded database (never a Worker) is given', async () => {
    expect(await readFile(bundle.path, 'utf8')).not.toMatch(/CREATE TABLE IF NOT EXISTS/);
  });

  // wrangler.toml's alias keys are import specifiers as src/connect.ts writes them: one renamed there would bring
  // the adapter back silently. Their own messages tell whether their code is in.
  it('leaves out the Neon and PGlite adapters, which the Neon build keeps', async () => {
    const adapters = /The Neon HTTP driver is closed|The Neon WebSocket driver is closed|The PGlite driver is closed/;
    const [lean, neon] = await Promise.all([readFile(bundle.path, 'utf8'), readFile(neonBundle.path, 'utf8')]);
    expect(lean).not.toMatch(adapters);
    expect(neon).toMatch(/The Neon HTTP driver is closed/);
    expect(neon).toMatch(/The Neon WebSocket driver is closed/);
  });
});

/** The Neon HTTP URL of the test database, through the local endpoint. */
function neonHttpUrl(): string {
  const base = new URL(endpoint.connectionString(db.name));
  return `neon+http://${base.username}@${base.host}${base.pathname}?fetch_endpoint=${encodeURIComponent(endpoint.url)}`;
}

const drivers: { name: string; url: () => string; bundle: () => WorkerBundle }[] = [
  { name: 'postgres.js over cloudflare:sockets', url: () => db.url, bundle: () => bundle },
  { name: 'Neon HTTP, Neon built in', url: neonHttpUrl, bundle: () => neonBundle },
];

describe('the default bundle, Neon left out', () => {
  it('answers a neon+http:// URL with a 500 and logs what to change, instead of retrying an outage', async () => {
    const worker = await runWorker(bundle, {
      DBOS_SYSTEM_DATABASE_URL: neonHttpUrl(),
      DBOS_EDGE_API_TOKENS: `full:${FULL}`,
    });
    try {
      const r = await worker.fetch('/v1/workflows?limit=1', { headers: auth() });
      expect(r.status).toBe(500);
      expect(r.headers.get('retry-after')).toBeNull();
      // Logged as JSON, so the quotes around the specifiers come escaped.
      expect(worker.output()).toMatch(
        /"code":"CONFIG".*adapters\/neon-\*\.ts.* lines under \[alias\] in wrangler\.toml/,
      );
    } finally {
      await worker.dispose();
    }
  });

  it('is smaller than the build with Neon in it', () => {
    expect(bundle.gzipBytes).toBeLessThan(neonBundle.gzipBytes);
  });
});

describe.each(drivers)('the Worker in workerd on $name', ({ name, url, bundle: built }) => {
  let worker: RunningWorker;

  beforeAll(async () => {
    worker = await runWorker(built(), {
      DBOS_SYSTEM_DATABASE_URL: url(),
      DBOS_APPLICATION_NAME: APP,
      // The DBOS worker beside it is a TypeScript app with the default serializer.
      DBOS_EDGE_SCHEDULER_APP: 'typescript',
      DBOS_EDGE_API_TOKENS: `full:${FULL},read:${READ}`,
      DBOS_EDGE_WEBHOOK_SECRET: WHSEC,
      DBOS_EDGE_WEBHOOKS: JSON.stringify({
        orders: { verify: 'standard-webhooks', enqueue: { queueName: 'interop', workflowName: 'echo' } },
      }),
    });
  });

  afterAll(async () => {
    await worker?.dispose();
  });

  it('enqueues over HTTP; the DBOS worker runs it; the result is read over HTTP, request after request', async () => {
    // Several requests, some at once: each gets its own client and connection (workerd forbids sharing them).
    const ids: string[] = [];
    for (const batch of [[1], [2, 3, 4]]) {
      const created = await Promise.all(
        batch.map((n) =>
          worker.fetch(
            '/v1/workflows',
            json({ options: { queueName: 'interop', workflowName: 'add' }, args: [n, 10] }),
          ),
        ),
      );
      for (const r of created) {
        expect(r.status).toBe(201);
        ids.push(((await r.json()) as { workflowID: string }).workflowID);
      }
    }
    const results = await Promise.all(
      ids.map(async (id) => {
        const r = await worker.fetch(`/v1/workflows/${id}/result?timeoutMs=20000`, { headers: auth(READ) });
        expect(r.status).toBe(200);
        return (await r.json()) as { status: string; output: unknown };
      }),
    );
    expect(results.map((r) => [r.status, r.output])).toEqual([1, 2, 3, 4].map((n) => ['SUCCESS', n + 10]));
    const status = await worker.fetch(`/v1/workflows/${ids[0]}`, { headers: auth(READ) });
    expect(await status.json()).toMatchObject({ workflowID: ids[0], status: 'SUCCESS', applicationName: APP });
  });

  it('checks tokens as on Node', async () => {
    const body = { options: { queueName: 'interop', workflowName: 'add' }, args: [1, 1] };
    expect((await worker.fetch('/v1/workflows')).status).toBe(401);
    const wrong = await worker.fetch('/v1/workflows', json(body, 'not-the-right-token-at-all'));
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toContain('invalid_token');
    expect((await worker.fetch('/v1/workflows', json(body, READ))).status).toBe(403);
    expect((await worker.fetch('/v1/workflows?limit=1', { headers: auth(READ) })).status).toBe(200);
    expect((await worker.fetch('/healthz')).status).toBe(200);
  });

  it('runs a signed webhook once per delivery and refuses a tampered one', async () => {
    const deliver = async (id: string, body: string, signedBody = body) => {
      const ts = Math.floor(Date.now() / 1000);
      return worker.fetch('/v1/webhooks/orders', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(ts),
          'webhook-signature': await signStandardWebhook(WHSEC, id, ts, signedBody),
        },
        body,
      });
    };
    const id = uid('msg');
    const payload = JSON.stringify({ order: 7, driver: name });
    const first = await deliver(id, payload);
    expect(first.status).toBe(200);
    const { workflowID } = (await first.json()) as { workflowID: string };
    expect(workflowID).toBe(`webhook:orders:${id}`);
    const again = await deliver(id, payload); // the provider retries: same workflow, nothing new
    expect(((await again.json()) as { workflowID: string }).workflowID).toBe(workflowID);
    const result = await worker.fetch(`/v1/workflows/${encodeURIComponent(workflowID)}/result?timeoutMs=20000`, {
      headers: auth(READ),
    });
    expect(((await result.json()) as { output: unknown }).output).toEqual([
      { order: 7, driver: name },
      { webhook: 'orders', deliveryID: id },
    ]);

    const tamperedID = uid('msg');
    const tampered = await deliver(tamperedID, JSON.stringify({ order: 8 }), JSON.stringify({ order: 9 }));
    expect(tampered.status).toBe(401);
    const [row] =
      await sql`SELECT count(*)::int AS n FROM dbos.workflow_status WHERE workflow_uuid = ${`webhook:orders:${tamperedID}`}`;
    expect(row?.n).toBe(0);
  });

  it('a scheduled event fires each due run exactly once, even when two are delivered at once', async () => {
    const scheduleName = uid('cf');
    // A yearly schedule, so the DBOS worker's own scheduler never fires it during the test.
    const created = await worker.fetch(
      '/v1/schedules',
      json({
        scheduleName,
        workflowName: 'scheduled',
        schedule: '0 0 1 1 *',
        context: { via: name },
      }),
    );
    expect(created.status).toBe(201);
    // A first tick in mid-2020 records that time as the schedule's last_fired_at, firing nothing.
    const start = await worker.fetch('/v1/schedules/tick', json({ now: '2020-06-01T00:00:00.000Z' }));
    expect(((await start.json()) as { fired: number }).fired).toBe(0);
    const [s] = await sql`SELECT last_fired_at FROM dbos.workflow_schedules WHERE schedule_name = ${scheduleName}`;
    expect(Date.parse(String(s?.last_fired_at))).toBe(Date.parse('2020-06-01T00:00:00.000Z'));

    // Cloudflare delivers the same cron event twice, concurrently, in mid-2023: 2021, 2022 and 2023 are due.
    const logBefore = worker.output().length;
    const event = { cron: '* * * * *', scheduledTime: new Date('2023-06-01T00:00:30.000Z') };
    const outcomes = await Promise.all([worker.scheduled(event), worker.scheduled(event)]);
    expect(outcomes.map((o) => o.outcome)).toEqual(['ok', 'ok']);

    const expected = ['2021', '2022', '2023'].map((y) => `sched-${scheduleName}-${y}-01-01T00:00:00.000Z`);
    const runs =
      await sql`SELECT workflow_uuid FROM dbos.workflow_status WHERE schedule_name = ${scheduleName} ORDER BY workflow_uuid`;
    expect(runs.map((r) => r.workflow_uuid)).toEqual(expected);
    // Both invocations logged their report; between them they fired each run once.
    await waitUntil(
      async () =>
        (
          worker
            .output()
            .slice(logBefore)
            .match(/"msg":"schedule tick"/g) ?? []
        ).length === 2,
      {
        timeoutMs: 5000,
      },
    );
    const reports = worker
      .output()
      .slice(logBefore)
      .split('\n')
      .filter((l) => l.includes('"msg":"schedule tick"'))
      .map((l) => JSON.parse(l.slice(l.indexOf('{'))) as { fired: number; now: string });
    expect(reports.map((r) => r.now)).toEqual([event.scheduledTime.toISOString(), event.scheduledTime.toISOString()]);
    expect(reports.reduce((n, r) => n + r.fired, 0)).toBe(3);

    // The DBOS worker runs them with (scheduled time, context).
    for (const id of expected) {
      const r = await worker.fetch(`/v1/workflows/${id}/result?timeoutMs=20000`, { headers: auth(READ) });
      expect(((await r.json()) as { output: unknown }).output).toEqual({
        isDate: true,
        at: id.slice(`sched-${scheduleName}-`.length),
        context: { via: name },
      });
    }
    expect((await worker.fetch(`/v1/schedules/${scheduleName}`, { method: 'DELETE', headers: auth() })).status).toBe(
      204,
    );
  });

  it('leaves no connection open and no unhandled rejection behind', async () => {
    // workerd closes each request's socket when the request ends (the driver never calls sql.end()).
    await waitUntil(
      async () => {
        const [r] = await sql`SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = ${db.name} AND application_name = 'dbos-edge'`;
        return r?.n === 0;
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    expect(worker.output()).not.toMatch(/Unhandled|Uncaught|Stream was cancelled|different request/i);
  });
});
