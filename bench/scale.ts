/**
 * `npm run bench:scale`: dbos-edge's `DBOSClient` and `@dbos-inc/dbos-sdk`'s at production scale, on one fresh
 * database, in one run:
 * 1. a 1,000,000-workflow table (seed-million.ts), so every later statement meets production-sized indexes;
 * 2. enqueue throughput: the SDK with 32 in flight, edge with 32 and 256 in flight, edge `enqueueMany` in batches;
 * 3. listing a first and a deep page by offset (both clients) and by cursor (edge's `listWorkflowsPage`);
 * 4. EXPLAIN (ANALYZE, BUFFERS) of each statement edge sent for those listings, for `enqueueMany` and for a bulk
 *    cancel, to bench/results/scale-explain-<timestamp>.txt;
 * 5. bulk cancel of 10,000 ENQUEUED workflows: edge by filter, the SDK by ID.
 * The tables go to stdout, progress to stderr, everything to bench/results/scale-<timestamp>.json.
 */
import { strictEqual } from 'node:assert/strict';
import os from 'node:os';
import type { DBOSClient as SdkClient } from '@dbos-inc/dbos-sdk';
import postgres from 'postgres';
import { DBOSClient, type WorkflowStatusString } from '../src/index.ts';
import { enqueueCase, type Throughput } from './cases.ts';
import { APP_NAME, edgeContender, sdkContender, type WithClient } from './clients.ts';
import { type Explained, explainingDriver, type PlanSummary, summarize } from './explain.ts';
import { environment, fileStamp, formatTable, logger, num, writeJsonResult, writeResult } from './report.ts';
import { withBenchDatabase } from './seed.ts';
import { SEED_NAMES, SEED_QUEUES, seedMillion } from './seed-million.ts';
import { type Latency, latency } from './stats.ts';

type Edge = WithClient<DBOSClient>;
type Sdk = WithClient<SdkClient>;

const SEED_ROWS = 1_000_000;
/** A queue no worker runs: everything enqueued stays ENQUEUED, a backlog the listing step then pages through. */
const QUEUE = 'bench_scale';
const IN_FLIGHT = 32;
const MANY_IN_FLIGHT = 256;
const ENQUEUE_WARM_UP = 500;
const SDK_ENQUEUES = 5_000;
const EDGE_ENQUEUES = 20_000;
/** [workflows per call, calls in flight]. */
const BATCHES = [
  [1000, 1],
  [5000, 1],
  [1000, 4],
] as const;
/** Per batch configuration; 75,000 in all. */
const BATCHED_ENQUEUES = 25_000;
const ENQUEUE_TARGET = 30_000;

const PAGE = 100;
/**
 * Calls before a timed series: edge's postgres.js spreads even sequential calls over its 10 pooled connections and
 * prepares each statement on each; Postgres weighs a generic plan at a statement's 6th run on a connection, so 60
 * calls reach the plan every later call gets.
 */
const WARM_UP = 60;
const ITERATIONS = 30;
/** A deep page by offset costs 1-3 s here; 5 timed calls (after one warm-up) keep the run under 6 minutes. */
const DEEP_OFFSET_ITERATIONS = 5;
const CURSOR_TARGET_MS = 5;

const CANCELS = 10_000;
const CANCEL_BATCH = 1000;

const log = logger('scale');

// ---------------------------------------------------------------- enqueue

interface EnqueueRow {
  id: string;
  title: string;
  workflowsPerSec: number;
  p50?: number;
  p99?: number;
}

/** `total` workflows by `enqueueMany`, `batch` per call, `inFlight` calls at a time; returns their IDs and the rate. */
async function enqueueMany(client: DBOSClient, queueName: string, total: number, batch: number, inFlight: number) {
  const ids: string[] = [];
  let next = 0;
  const start = performance.now();
  const caller = async () => {
    while (next < total) {
      const n = next;
      next += batch;
      const items = Array.from({ length: Math.min(batch, total - n) }, (_, i) => ({
        options: { queueName, workflowName: 'noop' },
        args: [n + i],
      }));
      for (const r of await client.enqueueMany(items)) {
        if (!r.ok) throw r.error;
        ids.push(r.handle.workflowID);
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, caller));
  return { ids, workflowsPerSec: (total * 1000) / (performance.now() - start) };
}

async function enqueueThroughput(edge: Edge, sdk: Sdk, sql: postgres.Sql): Promise<EnqueueRow[]> {
  const row = (id: string, title: string, t: Throughput): EnqueueRow => ({
    id,
    title,
    workflowsPerSec: t.opsPerSec,
    p50: t.p50,
    p99: t.p99,
  });
  log('enqueue: warming up both clients');
  await enqueueCase(sdk, ENQUEUE_WARM_UP, IN_FLIGHT, QUEUE);
  await enqueueCase(edge, ENQUEUE_WARM_UP, IN_FLIGHT, QUEUE);
  log(`enqueue: sdk, ${SDK_ENQUEUES} with ${IN_FLIGHT} in flight`);
  const rows = [
    row('sdk_32', `sdk enqueue, ${IN_FLIGHT} in flight`, await enqueueCase(sdk, SDK_ENQUEUES, IN_FLIGHT, QUEUE)),
  ];
  for (const inFlight of [IN_FLIGHT, MANY_IN_FLIGHT]) {
    log(`enqueue: edge, ${EDGE_ENQUEUES} with ${inFlight} in flight`);
    const t = await enqueueCase(edge, EDGE_ENQUEUES, inFlight, QUEUE);
    rows.push(row(`edge_${inFlight}`, `edge enqueue, ${inFlight} in flight`, t));
  }
  for (const [batch, inFlight] of BATCHES) {
    const calls = inFlight === 1 ? 'one call at a time' : `${inFlight} calls in flight`;
    log(`enqueue: edge enqueueMany, ${BATCHED_ENQUEUES} in batches of ${batch}, ${calls}`);
    const { workflowsPerSec } = await enqueueMany(edge.client, QUEUE, BATCHED_ENQUEUES, batch, inFlight);
    const id = `edge_many_${batch}${inFlight === 1 ? '' : `_x${inFlight}`}`;
    rows.push({ id, title: `edge enqueueMany, batches of ${batch}, ${calls}`, workflowsPerSec });
  }
  const expected = 2 * ENQUEUE_WARM_UP + SDK_ENQUEUES + 2 * EDGE_ENQUEUES + BATCHES.length * BATCHED_ENQUEUES;
  strictEqual(await count(sql, `queue_name = '${QUEUE}' AND status = 'ENQUEUED'`), expected, 'enqueued rows');
  return rows;
}

async function count(sql: postgres.Sql, where: string, params: postgres.ParameterOrJSON<never>[] = []) {
  const [row] = await sql.unsafe(`SELECT count(*)::int AS n FROM dbos.workflow_status WHERE ${where}`, params);
  return Number(row?.n);
}

// ---------------------------------------------------------------- listing

interface Filter {
  status?: WorkflowStatusString;
  workflowName?: string;
  queueName?: string;
  loadInput?: boolean;
  loadOutput?: boolean;
}

interface Shape {
  id: string;
  title: string;
  filter: Filter;
  /** Listed with listQueuedWorkflows(/Page). */
  queued?: boolean;
  /** The deep page's offset: 500 pages in where the shape has the rows. */
  deep: number;
  /** Each call costs a large fraction of a second: every series gets the deep offsets' few calls. */
  slow?: boolean;
}

const SHAPES: Shape[] = [
  { id: 'success', title: 'status SUCCESS', filter: { status: 'SUCCESS' }, deep: 50_000 },
  {
    id: 'success_slim',
    title: 'status SUCCESS, no payloads',
    filter: { status: 'SUCCESS', loadInput: false, loadOutput: false },
    deep: 50_000,
  },
  { id: 'error', title: 'status ERROR', filter: { status: 'ERROR' }, deep: 50_000 },
  { id: 'name', title: `workflowName ${SEED_NAMES[0]}`, filter: { workflowName: SEED_NAMES[0] }, deep: 50_000 },
  {
    // The SDK's listQueuedWorkflows never loads outputs; edge is asked not to either, so both do the same work.
    // The seeded queue holds about 22,600 ENQUEUED rows (226 pages): its deep page is 200 pages in.
    id: 'queue',
    title: `queue ${SEED_QUEUES[0]} ENQUEUED`,
    filter: { queueName: SEED_QUEUES[0], status: 'ENQUEUED', loadOutput: false },
    queued: true,
    deep: 20_000,
  },
  {
    // The queue the enqueue step filled: 121,000 ENQUEUED workflows, all newer than every seeded one.
    id: 'backlog',
    title: `queue ${QUEUE} ENQUEUED (backlog)`,
    filter: { queueName: QUEUE, status: 'ENQUEUED', loadOutput: false },
    queued: true,
    deep: 50_000,
    slow: true,
  },
  {
    // Every queue, every active status: about 200,000 rows in 40-odd (queue, status, priority) groups.
    id: 'all_queued',
    title: 'all queued workflows',
    filter: { loadOutput: false },
    queued: true,
    deep: 50_000,
    slow: true,
  },
];

interface Listed {
  workflowID: string;
  status: string;
  workflowName: string;
  queueName?: string;
}

type Contenders = 'sdk' | 'edge' | 'cursor';

interface ShapeResult {
  id: string;
  title: string;
  deep: number;
  /** p50/p99 of: the SDK by offset, edge by offset, edge by cursor. */
  first: Record<Contenders, Latency>;
  deepPage: Record<Contenders, Latency>;
  /** Paging through once to the deep page's cursor. */
  pagedThrough: { ms: number; pages: number };
  cursorTargetMet: boolean;
  /** The cursor of the deep page, for the EXPLAIN step. */
  cursor: string;
}

/** Fails unless `rows` is a full page of rows matching the shape's filter. */
function checkPage(who: string, shape: Shape, rows: readonly Listed[]): void {
  strictEqual(rows.length, PAGE, `${who} ${shape.id}: rows`);
  const f = shape.filter;
  for (const r of rows) {
    if (f.status) strictEqual(r.status, f.status, `${who} ${shape.id}: status`);
    if (f.workflowName) strictEqual(r.workflowName, f.workflowName, `${who} ${shape.id}: workflowName`);
    if (f.queueName) strictEqual(r.queueName, f.queueName, `${who} ${shape.id}: queueName`);
  }
}

function offsetList(
  client: DBOSClient | Sdk['client'],
  shape: Shape,
  offset: number | undefined,
): Promise<readonly Listed[]> {
  const input = { ...shape.filter, limit: PAGE, offset };
  return shape.queued ? client.listQueuedWorkflows(input) : client.listWorkflows(input);
}

function cursorPage(client: DBOSClient, shape: Shape, cursor: string | undefined) {
  const input = { ...shape.filter, limit: PAGE, cursor };
  return shape.queued ? client.listQueuedWorkflowsPage(input) : client.listWorkflowsPage(input);
}

type Call = () => Promise<readonly Listed[]>;

/**
 * Round-robin over the calls, `warmUp` untimed rounds then `iterations` timed ones, so whatever the machine does
 * meanwhile (a checkpoint, V8 optimizing a code path) falls on every contender alike. Each first page is checked.
 */
async function interleaved<K extends Contenders>(
  shape: Shape,
  [warmUp, iterations]: readonly [number, number],
  calls: Record<K, Call>,
): Promise<Record<K, Latency>> {
  const entries = Object.entries(calls) as [K, Call][];
  for (const [who, call] of entries) checkPage(who, shape, await call());
  for (let i = 1; i < warmUp; i++) for (const [, call] of entries) await call();
  const samples = new Map(entries.map(([who]) => [who, [] as number[]]));
  for (let i = 0; i < iterations; i++) {
    for (const [who, call] of entries) {
      const t0 = performance.now();
      await call();
      samples.get(who)?.push(performance.now() - t0);
    }
  }
  return Object.fromEntries(entries.map(([who]) => [who, latency(samples.get(who) ?? [])])) as Record<K, Latency>;
}

/** Pages from the start to the deep page, checking that no workflow is skipped or repeated; returns its cursor. */
async function pageThrough(edge: DBOSClient, shape: Shape) {
  const seen = new Set<string>();
  let cursor: string | undefined;
  const start = performance.now();
  for (let page = 0; page < shape.deep / PAGE; page++) {
    const p = await cursorPage(edge, shape, cursor);
    checkPage('cursor', shape, p.workflows);
    for (const w of p.workflows) seen.add(w.workflowID);
    if (!p.nextCursor) throw new Error(`${shape.id}: no page after ${page + 1}`);
    cursor = p.nextCursor;
  }
  strictEqual(seen.size, shape.deep, `${shape.id}: distinct workflows paged through`);
  return { cursor: cursor as string, ms: performance.now() - start };
}

async function listing(edge: Edge, sdk: Sdk): Promise<ShapeResult[]> {
  const slow = [1, DEEP_OFFSET_ITERATIONS] as const;
  const results: ShapeResult[] = [];
  for (const shape of SHAPES) {
    const fast = shape.slow ? slow : ([WARM_UP, ITERATIONS] as const);
    const sdkCall = (offset?: number) => () => offsetList(sdk.client, shape, offset);
    const edgeCall = (offset?: number) => () => offsetList(edge.client, shape, offset);
    const cursorCall = (cursor?: string) => async () => (await cursorPage(edge.client, shape, cursor)).workflows;

    log(`list ${shape.title}: page 1`);
    // A slow shape's few offset calls cannot warm the cursor's prepared statements: the cursor gets its own series.
    const first = shape.slow
      ? {
          ...(await interleaved(shape, slow, { sdk: sdkCall(), edge: edgeCall() })),
          ...(await interleaved(shape, [WARM_UP, ITERATIONS], { cursor: cursorCall() })),
        }
      : await interleaved(shape, fast, { sdk: sdkCall(), edge: edgeCall(), cursor: cursorCall() });
    log(`list ${shape.title}: paging through ${shape.deep / PAGE} pages by cursor`);
    const { cursor, ms } = await pageThrough(edge.client, shape);
    log(`list ${shape.title}: at offset ${shape.deep}`);
    const deepPage = {
      ...(await interleaved(shape, slow, { sdk: sdkCall(shape.deep), edge: edgeCall(shape.deep) })),
      ...(await interleaved(shape, fast, { cursor: cursorCall(cursor) })),
    };
    results.push({
      id: shape.id,
      title: shape.title,
      deep: shape.deep,
      first,
      deepPage,
      pagedThrough: { ms, pages: shape.deep / PAGE },
      cursorTargetMet: first.cursor.p50 <= CURSOR_TARGET_MS && deepPage.cursor.p50 <= CURSOR_TARGET_MS,
      cursor,
    });
  }
  return results;
}

// ---------------------------------------------------------------- EXPLAIN

interface ExplainResult {
  label: string;
  summary: PlanSummary;
  prepared?: PlanSummary;
}

/**
 * Re-issues each listing with a client whose driver explains what it sends: offset and keyset, first and deep page,
 * the keyset ones also as prepared statements; then an `enqueueMany` of each batch size, and a bulk cancel of those.
 */
async function explainAll(url: string, listed: readonly ShapeResult[]): Promise<Explained[]> {
  const ex = explainingDriver(url);
  const client = new DBOSClient({ driver: ex.driver, applicationName: APP_NAME });
  try {
    await client.listWorkflows({ limit: 1 }); // connects and reads the schema outside any capture
    for (const shape of SHAPES) {
      log(`explain ${shape.title}`);
      const { cursor } = listed.find((r) => r.id === shape.id) as ShapeResult;
      await ex.capture(`${shape.title}: offset, page 1`, () => offsetList(client, shape, undefined));
      await ex.capture(`${shape.title}: offset ${shape.deep}`, () => offsetList(client, shape, shape.deep));
      await ex.capture(`${shape.title}: cursor, page 1`, () => cursorPage(client, shape, undefined), true);
      await ex.capture(`${shape.title}: cursor at ${shape.deep}`, () => cursorPage(client, shape, cursor), true);
    }
    for (const batch of new Set(BATCHES.map(([b]) => b))) {
      log(`explain enqueueMany of ${batch}`);
      await ex.capture(`enqueueMany, ${batch} workflows`, () => enqueueMany(client, 'bench_explain', batch, batch, 1));
    }
    log('explain cancelWorkflows by filter');
    await ex.capture(`cancelWorkflows by filter, batchSize ${CANCEL_BATCH}`, () =>
      client.cancelWorkflows(
        { filter: { queueName: 'bench_explain', status: 'ENQUEUED' } },
        { batchSize: CANCEL_BATCH },
      ),
    );
    return ex.explained;
  } finally {
    await client.destroy();
    await ex.driver.close();
  }
}

function explainText(explained: readonly Explained[]): string {
  return explained
    .map((e) =>
      [
        `==== ${e.label}`,
        e.text.replace(/\s+/g, ' ').trim(),
        `-- params: ${JSON.stringify(e.params).slice(0, 400)}`,
        e.plan,
        ...(e.preparedPlan
          ? ['-- the same, prepared by name, at its 6th EXECUTE (what postgres.js runs once warm):', e.preparedPlan]
          : []),
      ].join('\n'),
    )
    .join('\n\n');
}

// ---------------------------------------------------------------- bulk cancel

interface CancelResult {
  edge: { ms: number; count: number; batches: number };
  sdk: { ms: number; count: number };
}

async function bulkCancel(edge: Edge, sdk: Sdk, sql: postgres.Sql): Promise<CancelResult> {
  log(`cancel: enqueueing 2 × ${CANCELS}`);
  const edgeIds = (await enqueueMany(edge.client, 'bench_cancel_edge', CANCELS, CANCEL_BATCH, 1)).ids;
  const sdkIds = (await enqueueMany(edge.client, 'bench_cancel_sdk', CANCELS, CANCEL_BATCH, 1)).ids;
  const cancelled = (ids: string[]) => count(sql, `workflow_uuid = ANY($1) AND status = 'CANCELLED'`, [ids]);

  log('cancel: edge cancelWorkflows by filter');
  let batches = 0;
  let start = performance.now();
  const { count: edgeCount } = await edge.client.cancelWorkflows(
    { filter: { queueName: 'bench_cancel_edge', status: 'ENQUEUED' } },
    { batchSize: CANCEL_BATCH, onProgress: () => batches++ },
  );
  const edgeMs = performance.now() - start;
  strictEqual(edgeCount, CANCELS, 'edge: cancelled count');
  strictEqual(await cancelled(edgeIds), CANCELS, 'edge: CANCELLED rows');

  // One call: an UPDATE ... WHERE workflow_uuid = ANY($ids) of 10,000 IDs is a single fast statement.
  log('cancel: sdk cancelWorkflows by ID');
  start = performance.now();
  await sdk.client.cancelWorkflows(sdkIds);
  const sdkMs = performance.now() - start;
  strictEqual(await cancelled(sdkIds), CANCELS, 'sdk: CANCELLED rows');
  return { edge: { ms: edgeMs, count: edgeCount, batches }, sdk: { ms: sdkMs, count: CANCELS } };
}

// ---------------------------------------------------------------- tables

const lat = (l: Latency) => `${num(l.p50)} / ${num(l.p99)}`;
const times = (x: number) => `${x.toFixed(2)}x`;
const met = (ok: boolean) => (ok ? 'met' : 'MISSED');

function enqueueTable(rows: readonly EnqueueRow[]): string {
  const sdkRate = (rows.find((r) => r.id === 'sdk_32') as EnqueueRow).workflowsPerSec;
  return formatTable(
    ['enqueue (workflows/s)', 'wf/s', 'vs sdk', 'p50 / p99 ms', `target ≥ ${ENQUEUE_TARGET}`],
    rows.map((r) => [
      r.title,
      num(r.workflowsPerSec),
      times(r.workflowsPerSec / sdkRate),
      r.p50 === undefined || r.p99 === undefined ? '' : lat({ p50: r.p50, p99: r.p99 }),
      r.id.startsWith('edge_many') ? met(r.workflowsPerSec >= ENQUEUE_TARGET) : '',
    ]),
  );
}

function listingTable(results: readonly ShapeResult[]): string {
  return formatTable(
    [
      'list, limit 100 (p50 / p99 ms)',
      'offset',
      'sdk offset',
      'edge offset',
      'edge cursor',
      'cursor vs sdk',
      `cursor p50 ≤ ${CURSOR_TARGET_MS}`,
    ],
    results.flatMap((r) =>
      [r.first, r.deepPage].map((l, i) => [
        i === 0 ? r.title : '',
        i === 0 ? '0' : String(r.deep),
        lat(l.sdk),
        lat(l.edge),
        lat(l.cursor),
        times(l.sdk.p50 / l.cursor.p50),
        i === 0 ? met(r.cursorTargetMet) : '',
      ]),
    ),
  );
}

function cancelTable(c: CancelResult): string {
  return formatTable(
    [`bulk cancel of ${CANCELS} ENQUEUED`, 'ms', 'wf/s', 'vs sdk'],
    [
      [`sdk cancelWorkflows(${CANCELS} IDs)`, num(c.sdk.ms), num((CANCELS * 1000) / c.sdk.ms), times(1)],
      [
        `edge cancelWorkflows(filter), ${c.edge.batches} batches`,
        num(c.edge.ms),
        num((CANCELS * 1000) / c.edge.ms),
        times(c.sdk.ms / c.edge.ms),
      ],
    ],
  );
}

function explainTable(results: readonly ExplainResult[]): string {
  const cells = (s: PlanSummary) => [
    [...(s.seqScan ? ['seq scan'] : []), ...s.indexes].join(', ') || '-',
    String(s.rowsVisited),
    s.sort,
    s.jitMs ? num(s.jitMs) : '',
    num(s.executionMs),
  ];
  return formatTable(
    [
      'EXPLAIN ANALYZE (edge SQL)',
      'workflow_status index',
      'rows visited',
      'sort',
      'jit ms',
      'ms',
      'prepared, 6th run: index',
      'ms',
    ],
    results.map((r) => {
      const p = r.prepared && cells(r.prepared);
      return [r.label, ...cells(r.summary), p?.[0] ?? '', p?.[4] ?? ''];
    }),
  );
}

// ---------------------------------------------------------------- main

const loadAverage = () => os.loadavg()[0] ?? 0;

async function main() {
  const startedAt = new Date().toISOString();
  await withBenchDatabase('edge_scale', log, async (url) => {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    const edge = edgeContender(url);
    const sdk = await sdkContender(url);
    try {
      // Other work on this 2-core machine skews every timing: the load averages at both ends tell if there was any.
      const env = { ...(await environment(url)), loadAverageAtStart: loadAverage() };
      log(`seeding ${SEED_ROWS} workflows`);
      const seedMs = await seedMillion({
        url,
        rows: SEED_ROWS,
        applicationName: APP_NAME,
        onProgress: (done) => log(`seeded ${done}`),
      });
      const enqueue = await enqueueThroughput(edge, sdk, sql);
      // Fresh statistics after the enqueues, as autovacuum would leave them, and none of its work during the timings.
      await sql.unsafe('VACUUM ANALYZE dbos.workflow_status, dbos.workflow_input');
      const listed = await listing(edge, sdk);
      const explained = await explainAll(url, listed);
      const cancel = await bulkCancel(edge, sdk, sql);

      const loadAverageAtEnd = loadAverage();
      const explainResults: ExplainResult[] = explained.map((e) => ({
        label: e.label,
        summary: summarize(e.plan),
        ...(e.preparedPlan && { prepared: summarize(e.preparedPlan) }),
      }));
      console.log(
        `dbos-edge vs @dbos-inc/dbos-sdk ${env.sdkVersion} (node ${env.node}, postgres ${env.postgres}, ${env.cpus} cpus)`,
      );
      console.log(
        `load average (1 min): ${env.loadAverageAtStart.toFixed(2)} at start, ${loadAverageAtEnd.toFixed(2)} at end`,
      );
      console.log(
        `seeded ${SEED_ROWS} workflows (+ payload rows) in ${(seedMs / 1000).toFixed(1)} s, VACUUM ANALYZE included\n`,
      );
      console.log(enqueueTable(enqueue));
      console.log(`\n${listingTable(listed)}`);
      console.log(
        `calls interleaved across contenders; page 1 and cursor: ${WARM_UP} warm-up + ${ITERATIONS} timed, deep offsets` +
          ` and the backlog: 1 + ${DEEP_OFFSET_ITERATIONS}; p99 of 30 calls is their slowest`,
      );
      console.log(`\n${cancelTable(cancel)}`);
      console.log(`\n${explainTable(explainResults)}`);

      const stamp = fileStamp(startedAt);
      log(`wrote ${await writeResult(`scale-explain-${stamp}.txt`, `${explainText(explained)}\n`)}`);
      const report = {
        startedAt,
        finishedAt: new Date().toISOString(),
        environment: { ...env, loadAverageAtEnd },
        parameters: {
          seedRows: SEED_ROWS,
          sdkEnqueues: SDK_ENQUEUES,
          edgeEnqueues: EDGE_ENQUEUES,
          batchedEnqueues: BATCHED_ENQUEUES,
          batches: BATCHES,
          page: PAGE,
          warmUp: WARM_UP,
          iterations: ITERATIONS,
          deepOffsetIterations: DEEP_OFFSET_ITERATIONS,
          cancels: CANCELS,
          cancelBatch: CANCEL_BATCH,
        },
        targets: {
          enqueueManyWorkflowsPerSec: ENQUEUE_TARGET,
          enqueueManyMet: enqueue
            .filter((r) => r.id.startsWith('edge_many'))
            .every((r) => r.workflowsPerSec >= ENQUEUE_TARGET),
          cursorP50Ms: CURSOR_TARGET_MS,
          cursorMet: Object.fromEntries(listed.map((r) => [r.id, r.cursorTargetMet])),
        },
        seedMs,
        enqueue,
        listing: listed.map(({ cursor: _, ...r }) => r),
        cancel,
        explain: explainResults,
      };
      log(`wrote ${await writeJsonResult(`scale-${stamp}.json`, report)}`);
    } finally {
      await edge.destroy();
      await sdk.destroy();
      await sql.end();
    }
  });
}

await main();
