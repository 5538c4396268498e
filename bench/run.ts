/**
 * `npm run bench`: dbos-edge's `DBOSClient` against `@dbos-inc/dbos-sdk`'s, on one fresh database, in one run.
 * Each measurement runs ROUNDS times per client, the clients alternating and swapping who goes first, so neither
 * gets a warmer database; the table shows each metric's median over the rounds. Progress goes to stderr, the
 * table to stdout, everything to bench/results/<timestamp>.json.
 */
import { startWorker } from '../test/interop/worker/harness.ts';
import { checkListing, enqueueCase, listCase, roundTripCase } from './cases.ts';
import {
  APP_NAME,
  type Contender,
  edgeContender,
  type ListOptions,
  SDK_POLLING_INTERVAL_MS,
  sdkContender,
} from './clients.ts';
import { environment, fileStamp, formatTable, logger, num, writeJsonResult } from './report.ts';
import { seedWorkflows, withBenchDatabase } from './seed.ts';
import { medianOf } from './stats.ts';

const ROUNDS = 3;
const ENQUEUES = 1000;
const IN_FLIGHT = 32;
const SEED_ROWS = 100_000;
const LIST_ITERATIONS = 50;
const ROUND_TRIPS = 200;
/**
 * Warm-up calls per client before a case. edge's postgres.js rotates even sequential queries over its 10 pooled
 * connections, preparing each statement once per connection and having Postgres weigh a generic plan at its 6th
 * run there; 100 calls get past both, so the rounds measure the steady state of both clients.
 */
const WARM_UP = 100;

const LIST_FULL: ListOptions = { status: 'SUCCESS', limit: 100 };
const LIST_SLIM: ListOptions = { ...LIST_FULL, loadInput: false, loadOutput: false };

type Metrics = Record<string, number>;

interface CaseResult {
  id: string;
  title: string;
  rounds: Record<Contender['name'], Metrics[]>;
  median: Record<Contender['name'], Metrics>;
}

/** Which metrics the table shows per case, and which direction is better. */
const TABLE: Record<string, [key: string, label: string, better: 'higher' | 'lower'][]> = {
  enqueue_sequential: [
    ['opsPerSec', 'ops/s', 'higher'],
    ['p50', 'p50 ms', 'lower'],
    ['p99', 'p99 ms', 'lower'],
  ],
  enqueue_concurrent: [
    ['opsPerSec', 'ops/s', 'higher'],
    ['p50', 'p50 ms', 'lower'],
    ['p99', 'p99 ms', 'lower'],
  ],
  list_full: [
    ['p50', 'p50 ms', 'lower'],
    ['p99', 'p99 ms', 'lower'],
  ],
  list_slim: [
    ['p50', 'p50 ms', 'lower'],
    ['p99', 'p99 ms', 'lower'],
  ],
  round_trip: [
    ['p50', 'p50 ms', 'lower'],
    ['p99', 'p99 ms', 'lower'],
    ['waitQueriesPerOp', 'getResult queries/op', 'lower'],
  ],
};

const NOTES = [
  `sdk getResult is tuned: pollingIntervalMs ${SDK_POLLING_INTERVAL_MS} (its default is 1000); edge uses its default polling (10 ms, backing off to 1000 ms on long waits)`,
  'round trip = enqueue + a real DBOS 5.3.0 worker runs add(i, 1) + getResult; both clients wait on the same worker',
  'each client enqueues with its own default serialization (edge: portable_json, sdk: js_superjson)',
  `medians of ${ROUNDS} rounds, clients alternating and swapping who goes first each round`,
];

const log = logger('bench');

async function interleaved(
  id: string,
  title: string,
  contenders: readonly Contender[],
  warmUp: (c: Contender) => Promise<unknown>,
  measure: (c: Contender) => Promise<Metrics>,
): Promise<CaseResult> {
  log(title);
  for (const c of contenders) await warmUp(c);
  const rounds: CaseResult['rounds'] = { edge: [], sdk: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const c of r % 2 === 0 ? contenders : [...contenders].reverse()) rounds[c.name].push(await measure(c));
  }
  return { id, title, rounds, median: { edge: medianOf(rounds.edge), sdk: medianOf(rounds.sdk) } };
}

async function runCases(url: string, contenders: readonly Contender[]): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  results.push(
    await interleaved(
      'enqueue_sequential',
      `${ENQUEUES} sequential enqueues`,
      contenders,
      (c) => enqueueCase(c, WARM_UP, 1),
      (c) => enqueueCase(c, ENQUEUES, 1),
    ),
    await interleaved(
      'enqueue_concurrent',
      `${ENQUEUES} enqueues, ${IN_FLIGHT} in flight`,
      contenders,
      (c) => enqueueCase(c, WARM_UP, IN_FLIGHT),
      (c) => enqueueCase(c, ENQUEUES, IN_FLIGHT),
    ),
  );

  log(`seeding ${SEED_ROWS} workflows`);
  await seedWorkflows(url, SEED_ROWS, APP_NAME);
  for (const c of contenders) for (const options of [LIST_FULL, LIST_SLIM]) await checkListing(c, options);
  results.push(
    await interleaved(
      'list_full',
      `listWorkflows SUCCESS limit 100 of ${SEED_ROWS}`,
      contenders,
      (c) => listCase(c, WARM_UP, LIST_FULL),
      (c) => listCase(c, LIST_ITERATIONS, LIST_FULL),
    ),
    await interleaved(
      'list_slim',
      'same, loadInput/loadOutput false',
      contenders,
      (c) => listCase(c, WARM_UP, LIST_SLIM),
      (c) => listCase(c, LIST_ITERATIONS, LIST_SLIM),
    ),
  );

  // Started only now, so its queue polling does not load the database during the other cases.
  log('starting the DBOS worker');
  const worker = await startWorker({ databaseUrl: url, appName: APP_NAME, appVersion: 'v1' });
  try {
    results.push(
      await interleaved(
        'round_trip',
        `enqueue → getResult round trip, ${ROUND_TRIPS} sequential`,
        contenders,
        // A round trip is several queries (the enqueue and its polls): half the calls warm the pool as well.
        (c) => roundTripCase(c, WARM_UP / 2),
        (c) => roundTripCase(c, ROUND_TRIPS),
      ),
    );
  } finally {
    await worker.stop();
  }
  return results;
}

interface Row {
  label: string;
  edge: number;
  sdk: number;
  /** How many times better edge is: edge/sdk where higher is better, sdk/edge where lower is. */
  ratio: number;
}

function tableRows(results: readonly CaseResult[]): Row[] {
  return results.flatMap((r) =>
    (TABLE[r.id] ?? []).map(([key, label, better]) => {
      const edge = r.median.edge[key] as number;
      const sdk = r.median.sdk[key] as number;
      return { label: `${r.title}: ${label}`, edge, sdk, ratio: better === 'higher' ? edge / sdk : sdk / edge };
    }),
  );
}

function tableText(rows: readonly Row[]): string {
  return formatTable(
    ['metric', 'edge', 'sdk', 'ratio'],
    rows.map((r) => [r.label, num(r.edge), num(r.sdk), `${r.ratio.toFixed(2)}x`]),
  );
}

async function main() {
  const startedAt = new Date().toISOString();
  await withBenchDatabase('edge_bench', log, async (url) => {
    const contenders: Contender[] = [];
    try {
      contenders.push(edgeContender(url), await sdkContender(url));
      const env = await environment(url);
      const cases = await runCases(url, contenders);
      const rows = tableRows(cases);

      console.log(`dbos-edge vs @dbos-inc/dbos-sdk ${env.sdkVersion} (node ${env.node}, postgres ${env.postgres})`);
      console.log('ratio = how many times better edge is (>1: edge better)\n');
      console.log(tableText(rows));
      console.log(`\n${NOTES.map((n) => `- ${n}`).join('\n')}`);

      const report = {
        startedAt,
        finishedAt: new Date().toISOString(),
        environment: env,
        parameters: {
          rounds: ROUNDS,
          enqueues: ENQUEUES,
          inFlight: IN_FLIGHT,
          seedRows: SEED_ROWS,
          listIterations: LIST_ITERATIONS,
          roundTrips: ROUND_TRIPS,
          sdkPollingIntervalMs: SDK_POLLING_INTERVAL_MS,
        },
        notes: NOTES,
        table: rows,
        cases,
      };
      log(`wrote ${await writeJsonResult(`${fileStamp(startedAt)}.json`, report)}`);
    } finally {
      for (const c of contenders) await c.destroy();
    }
  });
}

await main();
