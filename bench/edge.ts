/**
 * `npm run bench:edge`: Cloudflare Worker bundle size and cold start, dbos-edge beside `@dbos-inc/dbos-sdk`.
 *
 * Every Worker is bundled by wrangler (`deploy --dry-run`, the same bundler and flags as a deploy) and run in real
 * workerd by Miniflare against a fresh database on `DBOS_EDGE_TEST_PG_URL`:
 * - `empty`: a Worker that answers "ok" (workerd's own start-up, the floor);
 * - `dbos-edge service`: worker/cloudflare.ts as wrangler.toml builds it, the whole HTTP service
 *   (GET /v1/workflows?limit=1), reaching Postgres over TCP;
 * - `dbos-edge client`: a Worker importing only dbos-edge's `DBOSClient` (`listWorkflows({ limit: 1 })`), as the
 *   README tells Workers to make one (`connection: 'per-request'`);
 * - `…, Neon built in`: the service and the client with wrangler.toml's two Neon alias lines deleted, the opt-in for
 *   neon+http:// and neon+ws:// URLs;
 * - `dbos-sdk client`: the same Worker on `@dbos-inc/dbos-sdk`'s `DBOSClient`, with its 9 optional lazy modules
 *   (`@opentelemetry/*`, `winston*`) aliased to an empty module, without which it does not bundle.
 * Every Worker is built with wrangler.toml's settings (compatibility, minify, keep_names, aliases).
 * Each round starts a new workerd (a cold isolate): start-up is `new Miniflare` → ready (process start, script
 * parse and top-level evaluation), first request is the first fetch (connect, query, respond), then a warm one.
 * Postgres is reached through test/fixtures/pg-proxy.ts, which counts the round trips and protocol messages of each
 * request (numbers no CPU load blurs), and the rounds run again with the proxy delaying a 10 ms round trip, as at
 * the edge, and once more with that delay in front of PgBouncer (transaction mode) in front of Postgres, as a Worker
 * reaches Postgres through Hyperdrive: a backend's own start-up (a fork per new connection) is then not in the figures. Medians of ROUNDS rounds; the tables
 * go to stdout (with ratios against the dbos-sdk client), the numbers to bench/results/edge-<timestamp>.json.
 */

import { mkdir, rm, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatMessages, type PgProxy, type ProtocolCounts, pgProxy } from '../test/fixtures/pg-proxy.ts';
import { startPgBouncer } from '../test/fixtures/pgbouncer.ts';
import { buildVariant, buildWorker, runWorker, type WorkerBundle } from '../test/fixtures/workerd.ts';
import { createDbosDatabase } from '../test/helpers/pg.ts';
import { fileStamp, writeJsonResult } from './report.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = Number(process.env.ROUNDS ?? 5);
/** The database round trip of the second set of timings (bench:rtt's delaying proxy, half of it each way). */
const RTT_MS = 10;
const TOKEN = 'bench-edge-token-full-00000001';
const SDK_OPTIONAL = [
  '@opentelemetry/api',
  '@opentelemetry/context-async-hooks',
  '@opentelemetry/core',
  '@opentelemetry/exporter-logs-otlp-proto',
  '@opentelemetry/exporter-trace-otlp-proto',
  '@opentelemetry/sdk-logs',
  '@opentelemetry/sdk-trace-base',
  'winston',
  'winston-transport',
];

const CLIENT_WORKER = (imports: string, create: string) => `${imports}
export default {
  async fetch(request, env, ctx) {
    const client = ${create};
    try {
      const rows = await client.listWorkflows({ limit: 1 });
      return Response.json({ rows: rows.length });
    } finally {
      ctx.waitUntil(client.destroy());
    }
  },
};
`;

/** Module → replacement, added to wrangler.toml's `[alias]`. */
type Alias = Record<string, string>;
const SDK_ALIAS: Alias = Object.fromEntries(SDK_OPTIONAL.map((m) => [m, './empty.cjs']));
/** wrangler.toml's opt-in for neon+http:// and neon+ws:// URLs: its alias lines for the Neon adapters deleted. */
const WITH_NEON = ['../adapters/neon-http.ts', '../adapters/neon-ws.ts'];
const CLIENT_IMPORT = `import { DBOSClient } from '${ROOT}src/index.ts';`;
const CLIENT_CREATE = `new DBOSClient({ systemDatabaseUrl: env.DBOS_SYSTEM_DATABASE_URL, connection: 'per-request', listen: false })`;

const WORKERS: Record<string, { code: string; alias?: Alias; dropAlias?: string[] }> = {
  empty: { code: `export default { async fetch() { return new Response('ok'); } };\n` },
  'dbos-edge client': { code: CLIENT_WORKER(CLIENT_IMPORT, CLIENT_CREATE) },
  'dbos-edge client, Neon built in': { code: CLIENT_WORKER(CLIENT_IMPORT, CLIENT_CREATE), dropAlias: WITH_NEON },
  'dbos-sdk client': {
    code: CLIENT_WORKER(
      `import { DBOSClient } from '@dbos-inc/dbos-sdk';`,
      `await DBOSClient.create({ systemDatabaseUrl: env.DBOS_SYSTEM_DATABASE_URL })`,
    ),
    alias: SDK_ALIAS,
  },
};

/** Bundles one of WORKERS with wrangler.toml's settings, from a folder under node_modules so that packages resolve. */
async function buildOther(name: string, dir: string): Promise<WorkerBundle> {
  const w = WORKERS[name] as (typeof WORKERS)[string];
  const folder = join(dir, name.replace(/\W+/g, '-'));
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'index.mjs'), w.code);
  await writeFile(join(folder, 'empty.cjs'), 'module.exports = {};\n');
  const alias = Object.fromEntries(Object.entries(w.alias ?? {}).map(([m, to]) => [m, join(folder, to)]));
  return buildVariant({ main: join(folder, 'index.mjs'), addAlias: alias, dropAlias: w.dropAlias ?? [] });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.floor((s.length - 1) / 2)] as number) : Number.NaN;
};

interface Timings {
  startupMs: number;
  firstMs: number;
  warmMs: number;
}

interface Row {
  worker: string;
  bytes?: number;
  gzipBytes?: number;
  startupMs?: number;
  firstMs?: number;
  warmMs?: number;
  /** What the first and the warm request sent to Postgres (the same in every round; the last one's). */
  first?: ProtocolCounts;
  warm?: ProtocolCounts;
  /** First and warm request with a 10 ms round trip to the database. */
  rtt10?: { firstMs: number; warmMs: number };
  /** The same with the 10 ms round trip to a pooler (PgBouncer) in front of the database, as Hyperdrive is. */
  pooledRtt10?: { firstMs: number; warmMs: number };
  error?: string;
}

/** ROUNDS cold starts of the Worker; the protocol counts of the last round when the database is behind `proxy`. */
async function measure(bundle: WorkerBundle, bindings: Record<string, unknown>, path: string, proxy?: PgProxy) {
  const startup: number[] = [];
  const first: number[] = [];
  const warm: number[] = [];
  const counts: { first?: ProtocolCounts; warm?: ProtocolCounts } = {};
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    const w = await runWorker(bundle, bindings);
    const t1 = performance.now();
    try {
      const headers = { authorization: `Bearer ${TOKEN}` };
      proxy?.take();
      const r1 = await w.fetch(path, { headers });
      const t2 = performance.now();
      if (r1.status !== 200) throw new Error(`first request: HTTP ${r1.status} ${await r1.text()}\n${w.output()}`);
      await r1.arrayBuffer();
      if (proxy) counts.first = proxy.take();
      const t3 = performance.now();
      const r2 = await w.fetch(path, { headers });
      await r2.arrayBuffer();
      const t4 = performance.now();
      if (proxy) counts.warm = proxy.take();
      startup.push(t1 - t0);
      first.push(t2 - t1);
      warm.push(t4 - t3);
    } finally {
      await w.dispose();
    }
  }
  const timings: Timings = { startupMs: median(startup), firstMs: median(first), warmMs: median(warm) };
  return { ...timings, ...counts };
}

/** The database URL with its host and port replaced by the proxy's. */
function through(proxy: PgProxy, url: string): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(proxy.port);
  return u.toString();
}

async function main() {
  const db = await createDbosDatabase('edge_bench_cf');
  const dbUrl = new URL(db.url);
  const target = { host: dbUrl.hostname, port: Number(dbUrl.port || 5432) };
  // Counts at no delay (counts do not depend on it); timings again with a 10 ms round trip, where round trips weigh.
  const counting = await pgProxy(target);
  const distant = await pgProxy(target, RTT_MS / 2);
  // A new Postgres backend costs its own start-up (a fork, 10-20 ms on this machine) on every per-request connection,
  // whoever connects; a pooler in front (Hyperdrive, Neon's pooled endpoint) hands out warm backends instead.
  const pooler = await startPgBouncer(target);
  const pooled = new URL(pooler.url(db.name));
  const pooledDistant = await pgProxy({ host: pooled.hostname, port: Number(pooled.port) }, RTT_MS / 2);
  const dir = join(ROOT, 'node_modules/.cache/dbos-edge-bench-edge');
  const rows: Row[] = [];
  const bundles: WorkerBundle[] = [];
  try {
    const plan: { worker: string; build: () => Promise<WorkerBundle>; path: string; bindings: object }[] = [
      { worker: 'empty', build: () => buildOther('empty', dir), path: '/', bindings: {} },
      {
        worker: 'dbos-edge service',
        build: () => buildWorker(),
        path: '/v1/workflows?limit=1',
        bindings: { DBOS_EDGE_API_TOKENS: `full:${TOKEN}` },
      },
      {
        worker: 'dbos-edge service, Neon built in',
        build: () => buildVariant({ dropAlias: WITH_NEON }),
        path: '/v1/workflows?limit=1',
        bindings: { DBOS_EDGE_API_TOKENS: `full:${TOKEN}` },
      },
      { worker: 'dbos-edge client', build: () => buildOther('dbos-edge client', dir), path: '/', bindings: {} },
      {
        worker: 'dbos-edge client, Neon built in',
        build: () => buildOther('dbos-edge client, Neon built in', dir),
        path: '/',
        bindings: {},
      },
      { worker: 'dbos-sdk client', build: () => buildOther('dbos-sdk client', dir), path: '/', bindings: {} },
    ];
    for (const p of plan) {
      const row: Row = { worker: p.worker };
      rows.push(row);
      let bundle: WorkerBundle;
      try {
        bundle = await p.build();
        bundles.push(bundle);
        row.bytes = bundle.bytes;
        row.gzipBytes = bundle.gzipBytes;
      } catch (e) {
        row.error = `does not build: ${(e as Error).message.split('\n').slice(0, 3).join(' ')}`;
        continue;
      }
      const usesDatabase = p.worker !== 'empty';
      const bindings = (proxy: PgProxy) => ({
        ...p.bindings,
        ...(usesDatabase ? { DBOS_SYSTEM_DATABASE_URL: through(proxy, db.url) } : {}),
      });
      try {
        Object.assign(row, await measure(bundle, bindings(counting), p.path, usesDatabase ? counting : undefined));
        if (usesDatabase) {
          const far = await measure(bundle, bindings(distant), p.path);
          row.rtt10 = { firstMs: far.firstMs, warmMs: far.warmMs };
          const farPooled = await measure(bundle, bindings(pooledDistant), p.path);
          row.pooledRtt10 = { firstMs: farPooled.firstMs, warmMs: farPooled.warmMs };
        }
      } catch (e) {
        row.error = `does not run: ${(e as Error).message.split('\n').slice(0, 4).join(' ')}`;
      }
    }
  } finally {
    for (const b of bundles) await b.remove();
    await rm(dir, { recursive: true, force: true });
    await counting.close();
    await distant.close();
    await pooledDistant.close();
    await pooler.close();
    await db.drop();
  }

  const kib = (n?: number) => (n === undefined ? '—' : `${(n / 1024).toFixed(1)} KiB`);
  const ms = (n?: number) => (n === undefined ? '—' : `${n.toFixed(1)} ms`);
  const ratio = (a?: number, b?: number) => (a && b ? `${(b / a).toFixed(2)}×` : '—');
  const trips = (c?: ProtocolCounts) =>
    c === undefined ? '—' : `${c.roundTrips} (${c.connections} conn.; ${formatMessages(c.messages)})`;
  const sdk = rows.find((r) => r.worker === 'dbos-sdk client');
  console.log(
    `\nCloudflare Worker in workerd (Miniflare), wrangler bundles (minify on), medians of ${ROUNDS} cold starts\n`,
  );
  console.log('| Worker | bundle | gzipped | start-up | first request | warm request |');
  console.log('| --- | --: | --: | --: | --: | --: |');
  for (const r of rows) {
    console.log(
      `| ${r.worker} | ${kib(r.bytes)} | ${kib(r.gzipBytes)} | ${ms(r.startupMs)} | ${ms(r.firstMs)} | ${ms(r.warmMs)} |`,
    );
  }
  console.log('\nRound trips to Postgres per request (connections; frontend messages sent), counted by a proxy\n');
  const far = `${RTT_MS} ms RTT`;
  console.log(
    `| Worker | first request | warm request | first, ${far} | warm, ${far} | first, ${far} to a pooler | warm, ${far} to a pooler |`,
  );
  console.log('| --- | --- | --- | --: | --: | --: | --: |');
  for (const r of rows.filter((x) => x.worker !== 'empty')) {
    console.log(
      `| ${r.worker} | ${trips(r.first)} | ${trips(r.warm)} | ${ms(r.rtt10?.firstMs)} | ${ms(r.rtt10?.warmMs)} | ${ms(r.pooledRtt10?.firstMs)} | ${ms(r.pooledRtt10?.warmMs)} |`,
    );
  }
  console.log('\nHow many times better than the dbos-sdk client (bundle: smaller gzipped; requests: faster)\n');
  console.log(
    `| Worker | gzipped bundle | first request | warm request | first, ${far} | warm, ${far} | first, ${far} to a pooler | warm, ${far} to a pooler |`,
  );
  console.log('| --- | --: | --: | --: | --: | --: | --: | --: |');
  for (const r of rows.filter((x) => x.worker.startsWith('dbos-edge'))) {
    console.log(
      `| ${r.worker} | ${ratio(r.gzipBytes, sdk?.gzipBytes)} | ${ratio(r.firstMs, sdk?.firstMs)} | ${ratio(r.warmMs, sdk?.warmMs)} | ${ratio(r.rtt10?.firstMs, sdk?.rtt10?.firstMs)} | ${ratio(r.rtt10?.warmMs, sdk?.rtt10?.warmMs)} | ${ratio(r.pooledRtt10?.firstMs, sdk?.pooledRtt10?.firstMs)} | ${ratio(r.pooledRtt10?.warmMs, sdk?.pooledRtt10?.warmMs)} |`,
    );
  }
  for (const r of rows) if (r.error) console.log(`${r.worker}: ${r.error}`);
  console.log(
    `\n${await writeJsonResult(`edge-${fileStamp(new Date().toISOString())}.json`, { bench: 'edge', rounds: ROUNDS, rttMs: RTT_MS, loadavg: loadavg(), rows })}`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
