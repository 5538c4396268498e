/**
 * `npm run bench:http`: enqueue over HTTP (the router on @hono/node-server, driven by autocannon) next to calling
 * `DBOSClient.enqueue` directly, on one fresh database (created on DBOS_EDGE_TEST_PG_URL, dropped at the end).
 * Each case runs at 1 and at 32 requests in flight for the same duration; the table shows req/s, p50 and p99 and
 * the ratio HTTP / direct. The ceiling is a bare Hono route on the same server stack and load tool that parses the
 * same JSON body and answers JSON without touching a database: what HTTP alone costs on this machine, so the table
 * also shows HTTP / ceiling. The floor is the same bare route calling `client.enqueue` with the body's options and
 * args, with no auth, validation or problem handling: what any HTTP service around this client costs here, so HTTP /
 * floor is the service's own share and floor / direct what the transport costs. Request logging is off (it is one
 * console line per request). Results also go to bench/results/http-<timestamp>.json.
 */

import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { serve } from '@hono/node-server';
import autocannon from 'autocannon';
import { Hono } from 'hono';
import { createApp } from '../src/http/index.ts';
import { DBOSClient } from '../src/index.ts';
import { createDbosDatabase } from '../test/helpers/pg.ts';
import { fileStamp, writeJsonResult } from './report.ts';
import { latency } from './stats.ts';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 8);
const WARM_UP_S = 2;
const CONCURRENCY = [1, 32];
const TOKEN = 'bench-token-0123456789abcdef';
const OPTIONS = { queueName: 'bench', workflowName: 'bench_wf' };
const BODY = JSON.stringify({ options: OPTIONS, args: [1, { order: 'abc', qty: 2 }] });

interface Figures {
  reqPerSec: number;
  p50: number;
  p99: number;
  errors: number;
}

async function direct(client: DBOSClient, concurrency: number, seconds: number): Promise<Figures> {
  const samples: number[] = [];
  let errors = 0;
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const t = performance.now();
        try {
          await client.enqueue(OPTIONS, 1, { order: 'abc', qty: 2 });
          samples.push(performance.now() - t);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const l = latency(samples);
  return { reqPerSec: samples.length / elapsed, p50: l.p50, p99: l.p99, errors };
}

/** The ceiling: a bare Hono JSON route, no auth, validation or database. */
function ceilingApp(): Hono {
  const app = new Hono();
  app.post('/v1/workflows', async (c) => {
    const body = await c.req.json<{ args: unknown[] }>();
    return c.json({ workflowID: crypto.randomUUID(), args: body.args.length }, 201);
  });
  return app;
}

/** The floor: the bare route around the same client's enqueue (the service's work left out, the database's kept). */
function floorApp(client: DBOSClient): Hono {
  const app = new Hono();
  app.post('/v1/workflows', async (c) => {
    const body = await c.req.json<{ options: typeof OPTIONS; args: unknown[] }>();
    const handle = await client.enqueue(body.options, ...body.args);
    return c.json({ workflowID: handle.workflowID }, 201);
  });
  return app;
}

async function listen(fetch: (request: Request) => Response | Promise<Response>) {
  const server = serve({ fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function overHttp(url: string, concurrency: number, seconds: number): Promise<Figures> {
  const result = await autocannon({
    url: `${url}/v1/workflows`,
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: BODY,
    connections: concurrency,
    duration: seconds,
    // autocannon in a worker thread, so it does not share the server's event loop.
    workers: 1,
  });
  return {
    reqPerSec: result.requests.total / (result.duration || seconds),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

async function main() {
  const db = await createDbosDatabase('edge_bench_http');
  const client = new DBOSClient({ systemDatabaseUrl: db.url });
  const app = createApp({ client, tokens: [{ token: TOKEN, scope: 'full' }], logger: false });
  const { server, url } = await listen(app.fetch);
  const ceiling = await listen(ceilingApp().fetch);
  const floor = await listen(floorApp(client).fetch);
  const rows: { concurrency: number; direct: Figures; http: Figures; floor: Figures; ceiling: Figures }[] = [];
  try {
    process.stderr.write('warming up…\n');
    await direct(client, 8, WARM_UP_S);
    await overHttp(url, 8, WARM_UP_S);
    await overHttp(ceiling.url, 8, WARM_UP_S);
    await overHttp(floor.url, 8, WARM_UP_S);
    for (const concurrency of CONCURRENCY) {
      process.stderr.write(`${concurrency} in flight: direct…\n`);
      const d = await direct(client, concurrency, DURATION_S);
      process.stderr.write(`${concurrency} in flight: HTTP…\n`);
      const h = await overHttp(url, concurrency, DURATION_S);
      process.stderr.write(`${concurrency} in flight: floor…\n`);
      const low = await overHttp(floor.url, concurrency, DURATION_S);
      process.stderr.write(`${concurrency} in flight: ceiling…\n`);
      const top = await overHttp(ceiling.url, concurrency, DURATION_S);
      rows.push({ concurrency, direct: d, http: h, floor: low, ceiling: top });
    }
  } finally {
    await new Promise((r) => server.close(r));
    await new Promise((r) => ceiling.server.close(r));
    await new Promise((r) => floor.server.close(r));
    await client.destroy();
    await db.drop();
  }
  const f = (n: number, digits = 1) => n.toFixed(digits);
  const lines = [
    `enqueue, ${DURATION_S} s per case, ${os.cpus().length} cores, Node ${process.version}, load average ${os.loadavg()[0]?.toFixed(1)}`,
    '| in flight | metric | direct client | HTTP (Hono on Node) | floor (bare Hono + enqueue) | ceiling (bare Hono JSON) | HTTP / direct | HTTP / floor | floor / direct | HTTP / ceiling |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  // autocannon reports whole milliseconds: a ratio with a 0 ms latency on either side is shown as –.
  const metrics = [
    ['req/s', (x: Figures) => x.reqPerSec, 0],
    ['p50 ms', (x: Figures) => x.p50, 2],
    ['p99 ms', (x: Figures) => x.p99, 2],
  ] as const;
  for (const r of rows) {
    for (const [name, get, digits] of metrics) {
      const [d, h, low, top] = [get(r.direct), get(r.http), get(r.floor), get(r.ceiling)];
      const ratios = [h / d, h / low, low / d, h / top]
        .map((x) => (Number.isFinite(x) && x > 0 ? `${f(x, 2)}×` : '–'))
        .join(' | ');
      lines.push(
        `| ${r.concurrency} | ${name} | ${f(d, digits)} | ${f(h, digits)} | ${f(low, digits)} | ${f(top, digits)} | ${ratios} |`,
      );
    }
    lines.push(
      `| ${r.concurrency} | errors | ${r.direct.errors} | ${r.http.errors} | ${r.floor.errors} | ${r.ceiling.errors} | | | | |`,
    );
  }
  console.log(lines.join('\n'));
  const file = await writeJsonResult(`http-${fileStamp(new Date().toISOString())}.json`, {
    durationSeconds: DURATION_S,
    node: process.version,
    cores: os.cpus().length,
    loadavg: os.loadavg(),
    rows,
  });
  process.stderr.write(`results: ${file}\n`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
